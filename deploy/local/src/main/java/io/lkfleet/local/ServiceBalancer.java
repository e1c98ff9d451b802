package io.lkfleet.local;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local stand-in for what production puts in front of a service's instances (the Ingress of
 * {@code deploy/k8s/base/ingress.yaml}, a Kubernetes Service): hands each new connection to the next
 * instance in turn and skips an instance that refuses it (a killed pod). When an instance dies before
 * it answered a single byte of a request, what the client sent of that request is replayed to the next
 * instance, as the Ingress retries the next upstream: every lkfleet request is idempotent (a token
 * per (room, identity) is one seat, a webhook is applied once per event id), so a client sees the
 * answer of a live instance instead of a reset connection.
 */
final class ServiceBalancer implements AutoCloseable {
    /** Above webhook-ingest's largest accepted body: a request up to this size can be replayed. */
    private static final int REPLAY_LIMIT = 2 * 1024 * 1024;

    private final String name;
    private final int port;
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final NetServer server;
    private final NetClient client;

    ServiceBalancer(Vertx vertx, String name, int port, List<Integer> backends) {
        this.name = name;
        this.port = port;
        this.backends = List.copyOf(backends);
        this.server = vertx.createNetServer(new NetServerOptions().setHost(FleetLayout.HOST).setPort(port));
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
    }

    void start() {
        server.connectHandler(front -> new Link(front).connect(Math.floorMod(next.getAndIncrement(), backends.size()),
                backends.size()));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new FleetStartException("balancer of " + name + " cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** One client connection and the instance serving it; runs on the front socket's event loop. */
    private final class Link {
        private final NetSocket front;
        /** What the client sent of its request while no answer came back (null once one did, or too big to replay). */
        private Buffer unanswered = Buffer.buffer();
        /**
         * The instance has answered: the client's next bytes on this kept-alive connection begin its next
         * request (HTTP/1.1 clients send one only after the answer), which is replayable again.
         */
        private boolean answered;
        private NetSocket back;
        private boolean frontClosed;

        Link(NetSocket front) {
            this.front = front;
            front.pause();
            front.handler(this::fromClient);
            front.closeHandler(v -> {
                frontClosed = true;
                if (back != null) {
                    back.close();
                }
            });
        }

        /** Connects to backend {@code index}, or the ones after it when it refuses. */
        void connect(int index, int attemptsLeft) {
            client.connect(backends.get(index), FleetLayout.HOST).onSuccess(socket -> {
                if (frontClosed) {
                    socket.close();
                    return;
                }
                back = socket;
                back.handler(this::fromInstance);
                back.closeHandler(v -> instanceClosed(socket, index, attemptsLeft - 1));
                if (unanswered != null && unanswered.length() > 0) {
                    back.write(unanswered.copy());
                }
                front.resume();
            }).onFailure(e -> {
                if (attemptsLeft > 1) {
                    connect((index + 1) % backends.size(), attemptsLeft - 1);
                } else {
                    front.close();
                }
            });
        }

        private void fromClient(Buffer data) {
            if (answered) {
                answered = false;
                unanswered = Buffer.buffer();
            }
            if (unanswered != null) {
                unanswered = unanswered.length() + data.length() > REPLAY_LIMIT ? null : unanswered.appendBuffer(data);
            }
            if (back != null) {
                back.write(data);
                if (back.writeQueueFull()) {
                    front.pause();
                    back.drainHandler(v -> front.resume());
                }
            }
        }

        private void fromInstance(Buffer data) {
            unanswered = null;
            answered = true;
            front.write(data);
            if (front.writeQueueFull()) {
                back.pause();
                NetSocket paused = back;
                front.drainHandler(v -> paused.resume());
            }
        }

        /** The instance closed: pass that on, unless it died with a request it never answered. */
        private void instanceClosed(NetSocket socket, int index, int attemptsLeft) {
            if (socket != back || frontClosed) {
                return;
            }
            back = null;
            if (unanswered != null && unanswered.length() > 0 && attemptsLeft > 0) {
                front.pause();
                connect((index + 1) % backends.size(), attemptsLeft);
            } else {
                front.close();
            }
        }
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
