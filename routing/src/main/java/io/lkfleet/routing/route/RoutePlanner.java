package io.lkfleet.routing.route;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.routing.Refusal;
import io.lkfleet.routing.config.RoutingConfig;
import io.lkfleet.routing.latency.GeoDistance;
import io.lkfleet.routing.latency.LearnedRtt;
import io.lkfleet.routing.latency.MeasuredRtt;
import io.lkfleet.routing.latency.RegionRanking;
import io.lkfleet.routing.placement.NodeLoad;
import io.lkfleet.routing.placement.Placements;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * How a node is chosen, in one place and without I/O: from a {@link FleetSnapshot}, the nodes to
 * try for one join, in order. A room already pinned goes to its node (never moved, refused if its
 * region is not allowed); a room whose node died is placed again in its region; a new room goes to
 * the regions allowed by residency, where its expected size fits one node, that have a live node,
 * ranked by latency for this client, and within each to the nodes its placement policy prefers
 * (not draining; a booked node only for its booked room). The {@link RouteExecutor} tries them.
 */
@ApplicationScoped
public class RoutePlanner {
    private final FleetConfig fleet;
    private final RoutingConfig config;
    private final CapacityModel model;
    private final Placements placements;
    private final LearnedRtt learned;
    private final RegionRanking ranking;
    private final Supplier<RandomGenerator> random;

    @Inject
    public RoutePlanner(FleetConfig fleet, RoutingConfig config, CapacityModel model) {
        this(fleet, config, model, new LearnedRtt(config.learnedRttMaxAge(), 100_000, System::currentTimeMillis),
                ThreadLocalRandom::current);
    }

    /** {@code random} breaks ties between equally good nodes (seeded in tests). */
    public RoutePlanner(FleetConfig fleet, RoutingConfig config, CapacityModel model, LearnedRtt learned,
            Supplier<RandomGenerator> random) {
        this.fleet = fleet;
        this.config = config;
        this.model = model;
        this.placements = new Placements(config);
        this.learned = learned;
        this.ranking = new RegionRanking(List.of(new MeasuredRtt(), learned, new GeoDistance()),
                config.regionOrder().orElse(fleet.regions().keySet().stream().sorted().toList()));
        this.random = random;
    }

    /** Feeds the RTTs this client measured into the learned estimates of its network. */
    public void learn(RouteRequest join) {
        learned.learn(join);
    }

    /** The regions the join's residency policy allows, by name; refused when there is none. */
    public List<String> allowedRegions(RouteRequest join) {
        List<String> allowed = fleet.regions().entrySet().stream()
                .filter(e -> join.allowedRegions() == null || join.allowedRegions().isEmpty()
                        || join.allowedRegions().contains(e.getKey()))
                .filter(e -> join.jurisdictions() == null || e.getValue().jurisdictions().containsAll(join.jurisdictions()))
                .map(Map.Entry::getKey).sorted().toList();
        if (allowed.isEmpty()) {
            throw new Refusal(Reason.REGION_NOT_ALLOWED, "no region of the fleet satisfies this tenant's residency policy");
        }
        return allowed;
    }

    /** The nodes to try for {@code join}, most preferred first; a refusal when there is none worth trying. */
    public List<Attempt> plan(RouteRequest join, FleetSnapshot snapshot) {
        List<String> allowed = allowedRegions(join);
        String region = snapshot.claimedRegion() != null ? snapshot.claimedRegion() : liveKitRegion(snapshot);
        return region != null ? pinned(join, region, allowed, snapshot) : newRoom(join, allowed, snapshot);
    }

    /** With no claim of the router's, the room may still run in LiveKit (e.g. lkfleet's Redis restarted empty). */
    private String liveKitRegion(FleetSnapshot snapshot) {
        return fleet.regions().keySet().stream().sorted()
                .filter(r -> snapshot.region(r).liveKitNode() != null).findFirst().orElse(null);
    }

    private List<Attempt> pinned(RouteRequest join, String region, List<String> allowed, FleetSnapshot snapshot) {
        if (!allowed.contains(region)) {
            throw new Refusal(Reason.REGION_NOT_ALLOWED, "room " + join.room() + " runs in region " + region
                    + ", which this tenant's residency policy does not allow", region, null);
        }
        FleetSnapshot.Region state = snapshot.region(region);
        String node = state.pin() != null ? state.pin() : state.liveKitNode();
        boolean claim = snapshot.claimedRegion() == null;
        if (node == null) {
            return placeIn(join, region, state, snapshot, Attempt.Kind.PLACE_IN_CLAIMED, "pinned", claim, null);
        }
        if (!alive(state.nodes(), node, snapshot.nowMillis())) {
            // The room is lost with its node (LiveKit re-creates it at the next join): place it again in its region.
            return placeIn(join, region, state, snapshot, Attempt.Kind.REPLACE_LOST, "re-placed", claim, node);
        }
        return List.of(new Attempt(Attempt.Kind.PINNED, region, node, "pinned", 0, RoomCost.ZERO, false, null));
    }

    private List<Attempt> newRoom(RouteRequest join, List<String> allowed, FleetSnapshot snapshot) {
        RoomCost expected = model.cost(expectedShape(join));
        List<String> fitting = allowed.stream().filter(r -> limitOf(r).fits(expected)).toList();
        if (fitting.isEmpty()) {
            throw new Refusal(Reason.ROOM_EXCEEDS_NODE, "a room of " + join.expectedParticipants()
                    + " participants needs " + expected.subscriptions() + " subscriptions and "
                    + expected.egressKbps() / 1000 + " Mbit/s, more than one node of any allowed region carries;"
                    + " adding nodes would not help (a room lives on one node)");
        }
        long nowSeconds = snapshot.nowMillis() / 1000;
        List<String> healthy = fitting.stream().filter(r -> snapshot.region(r).nodes().stream()
                .anyMatch(n -> n.takesNewRooms(nowSeconds))).toList();
        if (healthy.isEmpty()) {
            throw new Refusal(Reason.NO_HEALTHY_REGION, "no allowed region has a live LiveKit node right now");
        }
        List<Attempt> attempts = new ArrayList<>();
        for (RegionRanking.Ranked ranked : ranking.rank(join, healthy, fleet.regions())) {
            attempts.addAll(placeIn(join, ranked.region(), snapshot.region(ranked.region()), snapshot,
                    Attempt.Kind.NEW_ROOM, ranked.source(), true, null));
        }
        if (attempts.isEmpty()) {
            throw Attempt.Kind.NEW_ROOM.exhausted(join.room(), null, null);
        }
        return attempts;
    }

    /** A new room's nodes in {@code region}, in its placement policy's order; refused when there is none (but for new rooms). */
    private List<Attempt> placeIn(RouteRequest join, String region, FleetSnapshot.Region state, FleetSnapshot snapshot,
            Attempt.Kind kind, String latencySource, boolean claim, String lostNode) {
        NodeLimit limit = limitOf(region);
        RoomShape expected = expectedShape(join);
        long expectedSubscriptions = model.cost(expected).subscriptions();
        int declared = join.expectedParticipants() == null ? 0 : join.expectedParticipants();
        int maxParticipants = RoomSizing.maxParticipants(model, limit, join.expectedPublishers());
        RoomCost toGrow = RoomSizing.toGrow(model, expected, join.publisher());
        List<Attempt> attempts = new ArrayList<>();
        for (NodeLoad node : placements.forRoom(declared).order(candidates(join.room(), state, limit, snapshot.nowMillis()),
                expectedSubscriptions, random.get())) {
            attempts.add(new Attempt(kind, region, node.nodeId(), latencySource, maxParticipants, toGrow, claim, lostNode));
        }
        if (attempts.isEmpty() && kind != Attempt.Kind.NEW_ROOM) {
            throw kind.exhausted(join.room(), region, lostNode);
        }
        return attempts;
    }

    /** Live, serving, not draining nodes; a node booked for a big room only for that room, and that room only there. */
    private List<NodeLoad> candidates(String room, FleetSnapshot.Region state, NodeLimit limit, long nowMillis) {
        List<NodeLoad> loads = new ArrayList<>();
        for (RegisteredNode node : state.nodes()) {
            FleetSnapshot.Booking booking = state.bookings().get(node.id());
            boolean booked = booking != null && booking.activeAt(nowMillis);
            if (!node.takesNewRooms(nowMillis / 1000)
                    || state.draining().contains(node.id()) || booked && !booking.room().equals(room)) {
                continue;
            }
            NodeLoad load = new NodeLoad(node.id(), state.load(node.id()).subscriptions(), limit.maxSubscriptions());
            if (booked) {
                return List.of(load);
            }
            loads.add(load);
        }
        return loads;
    }

    /** True while {@code nodeId} is in the registry and updated recently (it holds its rooms, serving or not). */
    public boolean alive(List<RegisteredNode> nodes, String nodeId, long nowMillis) {
        return nodes.stream().anyMatch(n -> n.id().equals(nodeId)
                && n.alive(nowMillis / 1000));
    }

    /** The admission limit of one node of {@code region}. */
    public NodeLimit limitOf(String region) {
        return model.limitIn(fleet, region);
    }

    private RoomShape expectedShape(RouteRequest join) {
        return RoomSizing.expected(join.expectedParticipants(), join.expectedPublishers(),
                config.defaultRoomParticipants());
    }
}
