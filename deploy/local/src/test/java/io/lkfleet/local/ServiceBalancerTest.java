package io.lkfleet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The local balancer against real HTTP servers on loopback and against instances that die each way a
 * killed process does (refusing connections, closing a connection it just accepted, closing it with a
 * request read and unanswered): a client on one kept-alive connection always gets a live instance's
 * answer, and 503 with Retry-After only when no instance answers.
 */
class ServiceBalancerTest {
    private final Vertx vertx = Vertx.vertx();
    private final List<AutoCloseable> balancers = new ArrayList<>();
    private final Set<Integer> handedOut = new HashSet<>();
    /** One client keeps its connections to the balancer alive, as a client app or LiveKit's webhook sender does. */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable balancer : balancers) {
            balancer.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestGetsTheLiveInstancesAnswerWhateverWayTheOtherDied() throws Exception {
        int live = echo("live");
        AtomicInteger readThenDied = new AtomicInteger();
        List<Integer> dead = List.of(refusing(), closingOnAccept(), closingAfterReading(readThenDied));
        for (int deadPort : dead) {
            int port = balance(deadPort, live);
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> answer = post(port, "/v1/token?n=" + i, "{\"i\":" + i + "}");
                assertEquals(200, answer.statusCode());
                assertEquals("live POST /v1/token?n=" + i + " {\"i\":" + i + "}", answer.body());
            }
        }
        assertTrue(readThenDied.get() > 0, "requests the dying instance read were replayed to the live one");
    }

    @Test
    void aKeptAliveConnectionOutlivesTheInstanceThatServedIt() throws Exception {
        HttpServer first = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b ->
                r.response().end("first " + r.method() + " " + r.uri() + " " + b)));
        int firstPort = listen(first);
        int port = balance(firstPort, echo("second"));
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            answered.add(post(port, "/webhook", "{}").body().split(" ")[0]);
        }
        assertEquals(Set.of("first", "second"), answered, "requests, not connections, spread over the instances");

        first.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> answer = post(port, "/webhook", "{}");
            assertEquals(200, answer.statusCode());
            assertEquals("second POST /webhook {}", answer.body());
        }
    }

    @Test
    void headersAndStatusPassBothWays() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(409)
                .putHeader("Content-Type", "application/problem+json").putHeader("Retry-After", "3")
                .end(r.getHeader("Authorization") + " " + r.getHeader("Host")));
        int port = balance(listen(server));
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                .header("Authorization", "Bearer k").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(409, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("3", answer.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("Bearer k 127.0.0.1:" + port, answer.body(), "the instance sees the client's own Host");
    }

    @Test
    void everyInstanceDownIsA503WithRetryAfter() throws Exception {
        int port = balance(refusing(), closingOnAccept());
        HttpResponse<String> answer = post(port, "/v1/token", "{}");
        assertEquals(503, answer.statusCode());
        assertEquals("1", answer.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(answer.body().contains("no instance of test answered"), answer.body());
    }

    @Test
    void aBodyOverTheLimitIsRefusedOnceWithoutReachingAnInstance() throws Exception {
        Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int port = balance(listen(vertx.createHttpServer().requestHandler(r -> {
            reached.add(r.uri());
            r.response().end("reached");
        })));
        HttpResponse<String> answer = post(port, "/webhook", "x".repeat(9 * 1024 * 1024));
        assertEquals(413, answer.statusCode());
        assertEquals(Set.of(), reached, "a refused body is not forwarded");
        assertEquals("reached", post(port, "/webhook", "{}").body(), "the balancer still serves after the refusal");
    }

    private int balance(int... backends) throws IOException {
        int port = freePort();
        ServiceBalancer balancer = new ServiceBalancer(vertx, "test", port,
                java.util.Arrays.stream(backends).boxed().toList());
        balancer.start();
        balancers.add(balancer);
        return port;
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A real HTTP server answering with its name, the request line and the body. */
    private int echo(String name) throws Exception {
        return listen(vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b ->
                r.response().end(name + " " + r.method() + " " + r.uri() + " " + b))));
    }

    private int listen(HttpServer server) throws Exception {
        return server.listen(0, FleetLayout.HOST).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    /** A killed instance's port: nothing listens, connections are refused. */
    private int refusing() throws IOException {
        return freePort();
    }

    /** An instance killed right after it accepted a connection. */
    private int closingOnAccept() throws Exception {
        return listen(vertx.createNetServer().connectHandler(socket -> socket.close()));
    }

    /** An instance killed after it read a request, before it answered. */
    private int closingAfterReading(AtomicInteger read) throws Exception {
        return listen(vertx.createNetServer().connectHandler(socket -> socket.handler(data -> {
            read.incrementAndGet();
            socket.close();
        })));
    }

    private static int listen(NetServer server) throws Exception {
        return server.listen(0, FleetLayout.HOST).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    /** A port no server of this test listens on, different from every one it handed out before. */
    private int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (handedOut.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }
}
