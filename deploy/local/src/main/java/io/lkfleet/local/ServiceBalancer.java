package io.lkfleet.local;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local stand-in for a Kubernetes Service in front of a service's instances: a TCP balancer that
 * hands each new connection to the next instance in turn and skips an instance that refuses it (a
 * killed pod), so callers keep one address however many instances run or die.
 */
final class ServiceBalancer implements AutoCloseable {
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
        server.connectHandler(front -> {
            front.pause();
            connect(front, Math.floorMod(next.getAndIncrement(), backends.size()), backends.size());
        });
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new FleetStartException("balancer of " + name + " cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    private void connect(NetSocket front, int index, int attemptsLeft) {
        client.connect(backends.get(index), FleetLayout.HOST).onSuccess(back -> {
            front.closeHandler(v -> back.close());
            back.closeHandler(v -> front.close());
            back.pipeTo(front);
            front.pipeTo(back);
        }).onFailure(e -> {
            if (attemptsLeft > 1) {
                connect(front, (index + 1) % backends.size(), attemptsLeft - 1);
            } else {
                front.close();
            }
        });
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
