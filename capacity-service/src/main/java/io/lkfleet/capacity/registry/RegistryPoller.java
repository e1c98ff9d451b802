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
import io.lkfleet.common.registry.LiveKitRegistry;
import io.lkfleet.common.registry.RegisteredNode;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reads each region's LiveKit registry (its own Redis, read-only, through common's
 * {@link LiveKitRegistry}): node liveness and measured load from hash {@code nodes}, room placement
 * from hash {@code room_node_map}. A node that is no longer alive (the fleet's one liveness rule,
 * {@code fleet.registry.node-stale-after}), or that left the registry, is marked gone and its rooms
 * lost; rooms are counted on the node LiveKit pinned them to.
 */
@ApplicationScoped
public class RegistryPoller {
    private static final Logger LOG = Logger.getLogger(RegistryPoller.class);

    private final Map<String, LiveKitRegistry> registries;
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
        this.registries = LiveKitRegistry.ofFleet(vertx.getDelegate(), fleet);
    }

    // Not before start-up is done: a first use of the Redis clients racing the start-up observers'
    // has failed the start (a ConcurrentModificationException creating Quarkus's Redis beans).
    @Scheduled(every = "${capacity.registry.poll-interval:1s}", delayed = "${capacity.registry.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        if (closed) {
            return;
        }
        registries.forEach((region, registry) -> {
            try {
                poll(region, registry, LoadStore.LIVE);
            } catch (LoadStore.ModelClosed e) {
                // the region is being rebuilt (the rebuild makes its own pass) or its model is lost
                LOG.debugf("region %s's model is closed to the poller: %s", region, e.getMessage());
            } catch (RuntimeException e) {
                if (closed) {
                    return; // a poll in flight at shutdown
                }
                // one region's Redis being down must not stop the others being watched
                LOG.warnf("cannot read LiveKit's registry of region %s: %s", region, e.getMessage());
            }
        });
    }

    /**
     * One pass over {@code region}'s registry now, by the rebuild holding {@code claim}, so its model
     * is placed before it counts as whole.
     */
    public void sync(String region, String claim) {
        poll(region, registries.get(region), claim);
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

    private void poll(String region, LiveKitRegistry registry, String claim) {
        long now = System.currentTimeMillis() / 1000;
        List<RegisteredNode> registered = registry.nodes();
        Set<String> known = store.nodes(region);
        for (RegisteredNode node : registered) {
            nodeSeen(region, node.id(), node.alive(now), measured(node), claim);
            known.remove(node.id());
        }
        // nodes that left LiveKit's registry (drained and exited) are gone too
        known.forEach(id -> nodeSeen(region, id, false, Map.of(), claim));
        // a room mapped to a node LiveKit no longer lists is on no node (it moves at its next join)
        Set<String> listed = registered.stream().map(RegisteredNode::id).collect(Collectors.toSet());
        registry.roomNodeMap().forEach((room, node) -> {
            if (listed.contains(node)) {
                store.assignRoom(region, room, node, claim);
            }
        });
        publishGauges(region);
    }

    private void nodeSeen(String region, String nodeId, boolean alive, Map<String, String> measured, String claim) {
        long lost = store.syncNode(region, nodeId, alive, measured, claim);
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

    private static Map<String, String> measured(RegisteredNode node) {
        Map<String, String> fields = new HashMap<>();
        fields.put("state", node.state().name());
        fields.put("m_num_rooms", Integer.toString(node.numRooms()));
        fields.put("m_num_clients", Integer.toString(node.numClients()));
        fields.put("m_tracks_in", Integer.toString(node.tracksIn()));
        fields.put("m_tracks_out", Integer.toString(node.tracksOut()));
        fields.put("m_cpu_load", Float.toString(node.cpuLoad()));
        fields.put("m_updated_at", Long.toString(node.updatedAtSeconds()));
        return fields;
    }

    @PreDestroy
    void close() {
        closed = true;
        registries.values().forEach(LiveKitRegistry::close);
    }
}
