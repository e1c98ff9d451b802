package io.lkfleet.routing.route;

import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.routing.RedisBound;
import io.lkfleet.routing.admission.RouterKeys;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads a {@link FleetSnapshot} for one join without blocking: the router's side of lkfleet's Redis
 * (the room's region claim and pins; each allowed region's drains, bookings and node loads) in ONE
 * pipelined batch and, at the same time, each region's LiveKit {@code room_node_map} entry for the room
 * (each in its own Redis), used only where the batch does not say where the room is. On a Redis Cluster ({@code quarkus.redis.client-type=cluster}) the
 * batch is one pipeline per slot, all sent at once: the room's claim and each region's keys (one
 * hash tag, one slot) may sit on different masters, and a pipeline must stay on one. Node lists and
 * liveness come from the registry the router polls. Bounded ({@link RedisBound}), like every call on
 * the route path.
 */
@ApplicationScoped
public class SnapshotReader {
    private static final Logger LOG = Logger.getLogger(SnapshotReader.class);

    private final FleetConfig fleet;
    private final LiveKitRegions livekit;
    private final Redis redis;
    private final RedisBound bound;
    private final boolean cluster;

    public SnapshotReader(FleetConfig fleet, LiveKitRegions livekit, ReactiveRedisDataSource redis, RedisBound bound,
            @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.fleet = fleet;
        this.livekit = livekit;
        this.redis = redis.getRedis();
        this.bound = bound;
        this.cluster = "cluster".equalsIgnoreCase(clientType);
    }

    /** The snapshot for a join of {@code room} that may use the {@code allowed} regions. */
    public Uni<FleetSnapshot> read(String room, List<String> allowed) {
        long now = System.currentTimeMillis();
        List<String> regions = fleet.regions().keySet().stream().sorted().toList();
        Map<String, List<RegisteredNode>> nodes = new HashMap<>();
        // the reads by slot, in the order snapshot() takes their replies: the room's claim, then each region's
        List<List<Request>> slots = new ArrayList<>();
        slots.add(List.of(Request.cmd(Command.GET).arg(RouterKeys.roomRegion(room))));
        for (String region : regions) {
            List<Request> batch = new ArrayList<>();
            slots.add(batch);
            batch.add(Request.cmd(Command.GET).arg(RouterKeys.pin(region, room)));
            if (allowed.contains(region)) {
                nodes.put(region, livekit.nodes(region));
                batch.add(Request.cmd(Command.SMEMBERS).arg(RouterKeys.draining(region)));
                batch.add(Request.cmd(Command.HGETALL).arg(RouterKeys.scheduled(region)));
                for (RegisteredNode node : nodes.get(region)) {
                    batch.add(Request.cmd(Command.HMGET).arg(RedisKeys.node(region, node.id()))
                            .arg("subscriptions").arg("egress_kbps"));
                    batch.add(Request.cmd(Command.HMGET).arg(RouterKeys.nodeReserved(region, node.id()))
                            .arg("subs").arg("kbps"));
                }
            }
        }
        // asked beside the batch, not after it: a new room's join waits for one round trip, not two (issue
        // 15.2); at most one look-up per region for each route the gate lets through, a wasted one when the
        // batch names the room's node
        CompletableFuture<Map<String, String>> liveKit = liveKitNodes(room, regions).subscribeAsCompletionStage();
        return bound.on("the snapshot's pipeline", pipelined(slots)).chain(replies -> {
            FleetSnapshot known = snapshot(now, regions, allowed, nodes, replies, Map.of());
            List<String> ask = unplaced(known, regions);
            return ask.isEmpty() ? Uni.createFrom().item(known) : Uni.createFrom().completionStage(liveKit)
                    .map(found -> snapshot(now, regions, allowed, nodes, replies, only(found, ask)));
        });
    }

    private static Map<String, String> only(Map<String, String> byRegion, List<String> regions) {
        Map<String, String> kept = new HashMap<>(byRegion);
        kept.keySet().retainAll(regions);
        return kept;
    }

    /**
     * The regions whose LiveKit must say whether it runs the room (the planner looks nowhere else):
     * every region when the router has no claim of the room, the claimed one when it has no pin there,
     * none when the router's own state names the node.
     */
    private static List<String> unplaced(FleetSnapshot known, List<String> regions) {
        if (known.claimedRegion() == null) {
            return regions;
        }
        return known.region(known.claimedRegion()).pin() == null ? List.of(known.claimedRegion()) : List.of();
    }

    /** The replies to {@code slots}' reads, in order: one pipeline, or on a cluster one per slot at once. */
    private Uni<List<Response>> pipelined(List<List<Request>> slots) {
        if (!cluster) {
            return redis.batch(slots.stream().flatMap(List::stream).toList());
        }
        return Uni.join().all(slots.stream().map(redis::batch).toList()).andFailFast()
                .map(replies -> replies.stream().flatMap(List::stream).toList());
    }

    /**
     * Where each region's LiveKit keeps {@code room} (regions that do not have it are absent). A
     * region whose Redis does not answer counts as not having it: its registry is unreadable too, so
     * it takes no new rooms, and the router's own claim, not this map, is what keeps rooms in place.
     */
    public Uni<Map<String, String>> liveKitNodes(String room, List<String> regions) {
        List<Uni<String>> reads = regions.stream().map(r -> livekit.roomNode(r, room) // bounded by fleet.registry.read-timeout
                .onFailure().invoke(e -> LOG.warnf("region %s: LiveKit's room_node_map cannot be read: %s", r,
                        e.toString()))
                .onFailure().recoverWithNull()).toList();
        return Uni.join().all(reads).andFailFast().map(found -> {
            Map<String, String> byRegion = new HashMap<>();
            for (int i = 0; i < regions.size(); i++) {
                if (found.get(i) != null) {
                    byRegion.put(regions.get(i), found.get(i));
                }
            }
            return byRegion;
        });
    }

    private static FleetSnapshot snapshot(long now, List<String> regions, List<String> allowed,
            Map<String, List<RegisteredNode>> nodes, List<Response> replies, Map<String, String> liveKitNodes) {
        int next = 0;
        String claimed = text(replies.get(next++));
        Map<String, FleetSnapshot.Region> states = new HashMap<>();
        for (String region : regions) {
            String pin = text(replies.get(next++));
            if (!allowed.contains(region)) {
                states.put(region, new FleetSnapshot.Region(List.of(), Set.of(), Map.of(), Map.of(), pin,
                        liveKitNodes.get(region)));
                continue;
            }
            Set<String> draining = new HashSet<>();
            Response members = replies.get(next++);
            if (members != null) {
                members.forEach(member -> draining.add(member.toString()));
            }
            Map<String, FleetSnapshot.Booking> bookings = new HashMap<>();
            hash(replies.get(next++)).forEach((node, value) -> bookings.put(node, FleetSnapshot.Booking.parse(value)));
            Map<String, FleetSnapshot.Load> loads = new HashMap<>();
            for (RegisteredNode node : nodes.get(region)) {
                Response model = replies.get(next++);
                Response reserved = replies.get(next++);
                loads.put(node.id(), new FleetSnapshot.Load(number(model, 0) + number(reserved, 0),
                        number(model, 1) + number(reserved, 1)));
            }
            states.put(region, new FleetSnapshot.Region(nodes.get(region), draining, bookings, loads, pin,
                    liveKitNodes.get(region)));
        }
        return new FleetSnapshot(now, claimed, states);
    }

    private static String text(Response reply) {
        return reply == null ? null : reply.toString();
    }

    private static long number(Response fields, int index) {
        Response field = fields == null ? null : fields.get(index);
        return field == null ? 0 : Long.parseLong(field.toString());
    }

    /** An HGETALL reply as a map (RESP3 map or RESP2 flat array: the client's {@code getKeys} reads both). */
    private static Map<String, String> hash(Response reply) {
        Map<String, String> map = new HashMap<>();
        if (reply != null) {
            reply.getKeys().forEach(key -> map.put(key, reply.get(key).toString()));
        }
        return map;
    }
}
