package io.lkfleet.capacity.registry;

import io.lkfleet.capacity.GuardReport;
import io.lkfleet.capacity.NodeView;
import io.lkfleet.capacity.RegionView;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.capacity.metrics.CapacityMetrics;
import io.lkfleet.capacity.service.LoadViews;
import io.lkfleet.capacity.service.Reaper;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.fleet.FleetConfig;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import livekit.LivekitInternal;
import org.jboss.logging.Logger;

/**
 * Reads each region's LiveKit registry (its own Redis, read-only): node liveness and measured load
 * from hash {@code nodes}, room placement from hash {@code room_node_map}. A node whose last
 * update is older than {@code capacity.registry.node-stale-after}, or that left the registry, is
 * marked gone and its rooms lost; rooms are counted on the node LiveKit pinned them to.
 */
@ApplicationScoped
public class RegistryPoller {
    static final String NODES_KEY = "nodes";
    static final String ROOM_NODE_MAP_KEY = "room_node_map";
    private static final Logger LOG = Logger.getLogger(RegistryPoller.class);

    private final Map<String, Redis> clients = new LinkedHashMap<>();
    private final Map<String, RedisAPI> registries = new LinkedHashMap<>();
    private final LoadStore store;
    private final LoadViews views;
    private final CapacityMetrics metrics;
    private final CapacityConfig config;
    private final Reaper reaper;
    /** Set at shutdown: a poll the scheduler still fires must not report the closed clients as failures. */
    private volatile boolean closed;

    public RegistryPoller(Vertx vertx, FleetConfig fleet, LoadStore store, LoadViews views, CapacityMetrics metrics,
            CapacityConfig config, Reaper reaper) {
        this.reaper = reaper;
        this.store = store;
        this.views = views;
        this.metrics = metrics;
        this.config = config;
        fleet.regions().forEach((name, region) -> {
            Redis client = Redis.createClient(vertx, region.redis());
            clients.put(name, client);
            registries.put(name, RedisAPI.api(client));
        });
    }

    // Not before start-up is done: a first use of the Redis clients racing the start-up observers'
    // has failed the start (a ConcurrentModificationException creating Quarkus's Redis beans).
    @Scheduled(every = "${capacity.registry.poll-interval:1s}", delayed = "${capacity.registry.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        if (closed) {
            return;
        }
        registries.forEach((region, api) -> {
            try {
                poll(region, api);
            } catch (RuntimeException e) {
                if (closed) {
                    return; // a poll in flight at shutdown
                }
                // one region's Redis being down must not stop the others being watched
                LOG.warnf("cannot read LiveKit's registry of region %s: %s", region, e.getMessage());
            }
        });
    }

    @Scheduled(every = "${capacity.guards.interval:30s}", delayed = "${capacity.registry.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void checkGuards() {
        long now = System.currentTimeMillis() / 1000;
        for (String region : registries.keySet()) {
            GuardReport report = views.guards(region, now, config.guards().idleRoomGrace().toSeconds());
            metrics.guards(report);
            reaper.act(report, now);
        }
    }

    private void poll(String region, RedisAPI api) {
        long now = System.currentTimeMillis() / 1000;
        long staleAfter = config.registry().nodeStaleAfter().toSeconds();
        Map<String, byte[]> registered = hash(api, NODES_KEY);
        for (Map.Entry<String, byte[]> entry : registered.entrySet()) {
            LivekitInternal.Node node = decode(entry.getKey(), entry.getValue());
            boolean alive = now - node.getStats().getUpdatedAt() <= staleAfter;
            nodeSeen(region, entry.getKey(), alive, measured(node));
        }
        Set<String> known = store.nodes(region);
        known.removeAll(registered.keySet());
        // nodes that left LiveKit's registry (drained and exited) are gone too
        known.forEach(id -> nodeSeen(region, id, false, Map.of()));
        hash(api, ROOM_NODE_MAP_KEY).forEach((room, node) -> store.assignRoom(region, room, new String(node)));
        publishGauges(region);
    }

    private void nodeSeen(String region, String nodeId, boolean alive, Map<String, String> measured) {
        long lost = store.syncNode(region, nodeId, alive, measured);
        if (lost >= 0) {
            LOG.warnf("node %s of region %s stopped reporting: marked gone, %d room(s) lost and released", nodeId,
                    region, lost);
            metrics.nodeGone(region, lost);
        }
    }

    private void publishGauges(String region) {
        for (NodeView n : views.nodes(region)) {
            metrics.node(region, n.id(), new CapacityMetrics.NodeLoad(n.subscriptions(), n.measured().numTracksOut(),
                    n.headroomRatio()));
        }
        RegionView r = views.region(region);
        metrics.region(region, new CapacityMetrics.RegionLoad(r.participants(), r.subscriptions(), r.headroomRatio()));
    }

    private static Map<String, String> measured(LivekitInternal.Node node) {
        LivekitInternal.NodeStats s = node.getStats();
        Map<String, String> fields = new HashMap<>();
        fields.put("state", node.getState().name());
        fields.put("m_num_rooms", Integer.toString(s.getNumRooms()));
        fields.put("m_num_clients", Integer.toString(s.getNumClients()));
        fields.put("m_tracks_in", Integer.toString(s.getNumTracksIn()));
        fields.put("m_tracks_out", Integer.toString(s.getNumTracksOut()));
        fields.put("m_cpu_load", Float.toString(s.getCpuLoad()));
        fields.put("m_updated_at", Long.toString(s.getUpdatedAt()));
        return fields;
    }

    private static LivekitInternal.Node decode(String id, byte[] value) {
        try {
            return LivekitInternal.Node.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("node " + id + " in LiveKit's registry is not a livekit.Node", e);
        }
    }

    /** A hash as raw bytes (HKEYS + HMGET: the same answer shape on RESP2 and RESP3). */
    private Map<String, byte[]> hash(RedisAPI api, String key) {
        Duration timeout = config.registry().readTimeout();
        Response keys = api.hkeys(key).await().atMost(timeout);
        List<String> fields = new ArrayList<>();
        for (int i = 0; keys != null && i < keys.size(); i++) {
            fields.add(keys.get(i).toString());
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        if (fields.isEmpty()) {
            return values;
        }
        List<String> args = new ArrayList<>(fields.size() + 1);
        args.add(key);
        args.addAll(fields);
        Response got = api.hmget(args).await().atMost(timeout);
        for (int i = 0; i < fields.size(); i++) {
            if (got.get(i) != null) {
                values.put(fields.get(i), got.get(i).toBytes());
            }
        }
        return values;
    }

    @PreDestroy
    void close() {
        closed = true;
        clients.values().forEach(Redis::close);
    }
}
