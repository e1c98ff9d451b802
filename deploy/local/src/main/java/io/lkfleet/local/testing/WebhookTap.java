package io.lkfleet.local.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.FleetStartException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pass-through HTTP proxy between LiveKit and webhook-ingest that writes down every delivery and
 * the status LiveKit got for it, so a test knows which events webhook-ingest acknowledged (200)
 * independently of webhook-ingest's own word. It forwards body and signature unchanged; when
 * webhook-ingest cannot be reached (an instance killed mid-request) it answers 503, which LiveKit
 * retries, as it would the connection error itself.
 */
public final class WebhookTap implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery attempt of one event: its id, type and room, and what LiveKit was answered. */
    public record Delivery(String id, String event, String room, int status) {
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(8);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private volatile URI target;

    private WebhookTap(HttpServer server) {
        this.server = server;
    }

    /** Listens on a free port of the fleet's host; deliveries get 503 until {@link #forwardTo} names the target. */
    public static WebhookTap start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(FleetLayout.HOST, 0), 64);
            WebhookTap tap = new WebhookTap(server);
            server.createContext("/", tap::handle);
            server.setExecutor(tap.handlers);
            server.start();
            return tap;
        } catch (IOException e) {
            throw new FleetStartException("cannot start the webhook tap: " + e.getMessage(), e);
        }
    }

    /** Where LiveKit posts (give it to {@code LocalFleet.Options.webhookUrls}). */
    public String url() {
        return "http://" + FleetLayout.HOST + ":" + server.getAddress().getPort() + "/webhook";
    }

    /** Forwards from now on to {@code url} (webhook-ingest's {@code /webhook}, e.g. behind its balancer). */
    public void forwardTo(String url) {
        this.target = URI.create(url);
    }

    /** Every delivery so far, in the order they were answered. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        int status;
        byte[] answer;
        String retryAfter = null;
        URI to = target;
        if (to == null) {
            status = 503;
            answer = "the tap has no target yet".getBytes(StandardCharsets.UTF_8);
        } else {
            HttpRequest.Builder request = HttpRequest.newBuilder(to).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Authorization", "Content-Type")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            try {
                HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                status = response.statusCode();
                answer = response.body();
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
            } catch (IOException e) {
                status = 503;
                answer = ("webhook-ingest did not answer: " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
                answer = new byte[0];
            }
        }
        deliveries.add(describe(body, status));
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private static Delivery describe(byte[] body, int status) {
        try {
            JsonNode event = JSON.readTree(body);
            return new Delivery(event.path("id").asText(), event.path("event").asText(),
                    event.path("room").path("name").asText(), status);
        } catch (IOException e) {
            return new Delivery("", "", "", status);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
