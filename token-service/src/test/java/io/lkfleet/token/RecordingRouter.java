package io.lkfleet.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for region-router's {@code POST /v1/route} over real HTTP: admits every join into
 * eu-west and records each request token-service sent, so a test sees what reached routing (and
 * that a refused request reached nothing). Admission itself is region-router's and tested there.
 */
public final class RecordingRouter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DECISION = """
            {"region":"eu-west","livekit_url":"ws://127.0.0.1:7880","node_id":"nd_test","reservation_id":"rs_test",
             "max_participants":0,"projected_subscriptions":2,"projected_egress_kbps":100,"limit_subscriptions":650,
             "new_room":true,"latency_source":"configured"}""".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final List<JsonNode> routed = new CopyOnWriteArrayList<>();

    public RecordingRouter() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/route", exchange -> {
            routed.add(JSON.readTree(exchange.getRequestBody()));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, DECISION.length);
            exchange.getResponseBody().write(DECISION);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every route request received so far, oldest first. */
    public List<JsonNode> routed() {
        return List.copyOf(routed);
    }

    /** The route request for {@code room}, which must have been received exactly once. */
    public JsonNode routedFor(String room) {
        List<JsonNode> matches = routed.stream().filter(r -> room.equals(r.path("room").asText())).toList();
        if (matches.size() != 1) {
            throw new AssertionError(matches.size() + " route requests for room " + room);
        }
        return matches.get(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
