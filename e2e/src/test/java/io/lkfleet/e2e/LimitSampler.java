package io.lkfleet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.RedisUsers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * Every 100 ms, every node against its admission limit, two ways and side by side: what admission
 * counts (the model's subscriptions plus region-router's reserved ones, read from lkfleet's Redis as
 * admit.lua reads them) and what LiveKit measures (each node's {@code num_tracks_out}, read from the
 * region's LiveKit registry, so it is sampled even while lkfleet's Redis is down). The limits are
 * capacity-service's, read once at the start.
 */
final class LimitSampler implements AutoCloseable {
    private static final Duration EVERY = Duration.ofMillis(100);

    private final LocalFleet fleet;
    private final Vertx vertx = Vertx.vertx();
    private final Redis redis;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    /** Node id → its admission limit in subscriptions, as capacity-service states it. */
    private final Map<String, Long> limits = new ConcurrentHashMap<>();
    private final List<String> breaches = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong modelSamples = new AtomicLong();
    private final AtomicLong measuredSamples = new AtomicLong();
    private final long startedNanos = System.nanoTime();

    private LimitSampler(LocalFleet fleet) {
        this.fleet = fleet;
        this.redis = Redis.createClient(vertx, fleet.layout().fleetRedisUri(RedisUsers.ADMIN));
    }

    static LimitSampler start(LocalFleet fleet) {
        LimitSampler sampler = new LimitSampler(fleet);
        String capacity = fleet.layout().services().get("capacity-service").url();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode node : E2eFleet.JSON.readTree(E2eFleet.get(capacity + "/v1/fleet").body()).at("/regions")) {
                node.path("nodes").forEach(n -> sampler.limits.put(n.at("/load/id").asText(),
                        n.at("/load/limitSubscriptions").asLong()));
            }
            return sampler.limits.keySet().containsAll(fleet.nodes().values().stream().map(LiveKitNode::nodeId).toList());
        });
        sampler.timers.scheduleAtFixedRate(sampler::sampleModel, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        sampler.timers.scheduleAtFixedRate(sampler::sampleLiveKit, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return sampler;
    }

    /** Model + reservations per node, in one round trip; no sample while lkfleet's Redis is down. */
    private void sampleModel() {
        List<LiveKitNode> nodes = List.copyOf(fleet.nodes().values());
        List<Request> reads = new ArrayList<>();
        for (LiveKitNode node : nodes) {
            String key = RedisKeys.node(node.region(), node.nodeId());
            reads.add(Request.cmd(Command.HGET).arg(key).arg("subscriptions"));
            reads.add(Request.cmd(Command.HGET).arg(key + RedisKeys.RESERVED).arg("subs"));
        }
        try {
            List<Response> got = redis.batch(reads).toCompletionStage().toCompletableFuture().get(1, TimeUnit.SECONDS);
            for (int i = 0; i < nodes.size(); i++) {
                long model = number(got.get(2 * i));
                long reserved = number(got.get(2 * i + 1));
                long limit = limits.get(nodes.get(i).nodeId());
                if (model + reserved > limit) {
                    breaches.add(String.format("%.1f s: node %s model %d + reserved %d > limit %d", seconds(),
                            nodes.get(i).nodeId(), model, reserved, limit));
                }
            }
            modelSamples.incrementAndGet();
        } catch (Exception e) {
            // lkfleet's Redis is down or restarting: admission fails closed meanwhile, nothing to sample
        }
    }

    private static long number(Response value) {
        return value == null ? 0 : value.toLong();
    }

    private void sampleLiveKit() {
        try {
            for (String region : fleet.layout().regions().keySet()) {
                for (RegisteredNode node : fleet.registry(region).nodes()) {
                    Long limit = limits.get(node.id());
                    if (limit != null && node.tracksOut() > limit) {
                        breaches.add(String.format("%.1f s: node %s LiveKit num_tracks_out %d > limit %d", seconds(),
                                node.id(), node.tracksOut(), limit));
                    }
                }
            }
            measuredSamples.incrementAndGet();
        } catch (RuntimeException e) {
            // a LiveKit Redis that does not answer in time: this tick has no measured sample
        }
    }

    private double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Every sample that found a node above its limit. */
    List<String> breaches() {
        return List.copyOf(breaches);
    }

    String summary() {
        return String.format("in %.1f s, every %d ms: %d samples of model + reservations, %d of LiveKit's"
                + " num_tracks_out, %d nodes each, %d above the limit", seconds(), EVERY.toMillis(),
                modelSamples.get(), measuredSamples.get(), limits.size(), breaches.size());
    }

    @Override
    public void close() {
        timers.shutdownNow();
        try {
            timers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.close();
        vertx.close();
    }
}
