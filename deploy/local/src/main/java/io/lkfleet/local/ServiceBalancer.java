package io.lkfleet.local;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local stand-in for what production puts in front of a service's instances (ingress-nginx of
 * {@code deploy/k8s/base/ingress.yaml}): an HTTP/1.1 proxy that sends each whole request to the next
 * instance in turn. When an instance gives no complete answer (it refuses the connection, closes it,
 * or dies with the request unanswered or half answered: a killed pod) the request goes to the next
 * instance, as the Ingress has ingress-nginx do ({@code proxy-next-upstream: error timeout
 * non_idempotent}): every lkfleet request is idempotent (a token per (room, identity) is one seat, a
 * webhook is applied once per event id). The client's own connection never depends on an instance's,
 * so a client sees a live instance's answer, or 503 with Retry-After when none answers, and never a
 * closed connection.
 */
final class ServiceBalancer implements AutoCloseable {
    /**
     * A request is held whole so that it can be sent again, up to the largest body an instance reads
     * (webhook-ingest's {@code quarkus.http.limits.max-body-size}); a bigger one gets the bare 413 the
     * instance would answer.
     */
    private static final int BODY_LIMIT = 8 * 1024 * 1024;
    /** Each instance twice: a kept-alive connection to a live instance may have just been closed. */
    private static final int ROUNDS = 2;
    /** Connection-scoped headers (RFC 9110 7.6.1) and the ones this proxy sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "http2-settings", "expect", "content-length", "host");

    private final String name;
    private final int port;
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final HttpServer server;
    private final HttpClient client;

    ServiceBalancer(Vertx vertx, String name, int port, List<Integer> backends) {
        this.name = name;
        this.port = port;
        this.backends = List.copyOf(backends);
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost(FleetLayout.HOST).setPort(port)
                .setHttp2ClearTextEnabled(false).setHandle100ContinueAutomatically(true));
        // As proxy_read_timeout: an instance silent this long counts as failed.
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1000).setIdleTimeout(60)
                .setMaxPoolSize(64));
    }

    void start() {
        server.requestHandler(this::receive);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new FleetStartException("balancer of " + name + " cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** Reads the whole request, then forwards it. */
    private void receive(HttpServerRequest request) {
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (request.response().ended()) {
                return; // already answered 413: the rest of the body is read and dropped
            }
            if (body.length() + chunk.length() > BODY_LIMIT) {
                request.response().setStatusCode(413).putHeader(HttpHeaders.CONNECTION, "close").end();
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> {
            if (!request.response().ended()) {
                forward(request, body, Math.floorMod(next.getAndIncrement(), backends.size()),
                        ROUNDS * backends.size());
            }
        });
    }

    /** Sends the request to instance {@code index}, or to the ones after it while none answers whole. */
    private void forward(HttpServerRequest request, Buffer body, int index, int attemptsLeft) {
        if (request.response().closed()) {
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        request.headers().forEach(h -> {
            if (!NOT_FORWARDED.contains(h.getKey().toLowerCase())) {
                headers.add(h.getKey(), h.getValue());
            }
        });
        headers.add("X-Forwarded-For", request.remoteAddress().hostAddress());
        RequestOptions options = new RequestOptions().setServer(SocketAddress.inetSocketAddress(backends.get(index),
                FleetLayout.HOST)).setMethod(request.method()).setURI(request.uri()).setHeaders(headers);
        if (request.authority() != null) {
            int clientPort = request.authority().port();
            options.setHost(request.authority().host()).setPort(clientPort < 0 ? 80 : clientPort);
        }
        client.request(options)
                .compose(out -> out.send(body))
                .compose(answer -> answer.body().map(answerBody -> new Answer(answer, answerBody)))
                .onSuccess(answer -> answer.relay(request))
                .onFailure(e -> {
                    if (attemptsLeft > 1) {
                        forward(request, body, (index + 1) % backends.size(), attemptsLeft - 1);
                    } else if (!request.response().closed()) {
                        request.response().setStatusCode(503).putHeader("Retry-After", "1")
                                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                                .end("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                                        + "\"detail\":\"no instance of " + name + " answered\"}");
                    }
                });
    }

    /** An instance's whole answer. */
    private record Answer(HttpClientResponse head, Buffer body) {
        void relay(HttpServerRequest request) {
            if (request.response().closed()) {
                return;
            }
            request.response().setStatusCode(head.statusCode()).setStatusMessage(head.statusMessage());
            head.headers().forEach(h -> {
                if (!NOT_FORWARDED.contains(h.getKey().toLowerCase())) {
                    request.response().headers().add(h.getKey(), h.getValue());
                }
            });
            request.response().end(body);
        }
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
