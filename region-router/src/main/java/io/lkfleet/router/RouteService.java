package io.lkfleet.router;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.router.admission.Admission;
import io.lkfleet.router.admission.AdmissionResult;
import io.lkfleet.router.admission.RouterKeys;
import io.lkfleet.router.config.RouterConfig;
import io.lkfleet.router.decision.DecisionPublisher;
import io.lkfleet.router.latency.GeoDistance;
import io.lkfleet.router.latency.LearnedRtt;
import io.lkfleet.router.latency.MeasuredRtt;
import io.lkfleet.router.latency.RegionRanking;
import io.lkfleet.router.livekit.LiveKitRegions;
import io.lkfleet.router.placement.NodeLoad;
import io.lkfleet.router.placement.Placements;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Where a join goes (design §2, region-router). A pinned room goes to its node or is refused; it
 * never moves. A new room goes to the best-ranked allowed, healthy region with a node it fits on,
 * is pinned there through LiveKit's CreateRoom(node_id), and every join is admitted by one atomic
 * script. Every decision is published.
 */
@ApplicationScoped
public class RouteService {
    private static final Logger LOG = Logger.getLogger(RouteService.class);

    private final FleetConfig fleet;
    private final RouterConfig config;
    private final CapacityModel model;
    private final Admission admission;
    private final LiveKitRegions livekit;
    private final Placements placements;
    private final DecisionPublisher decisions;
    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;
    private final ReactiveValueCommands<String, String> reactiveValues;
    private final Duration redisTimeout;
    private final PinnedRooms pinnedRooms = new PinnedRooms(Duration.ofSeconds(1), 100_000);
    private final LearnedRtt learned;
    private final RegionRanking ranking;

    public RouteService(FleetConfig fleet, RouterConfig config, CapacityModel model, Admission admission,
            LiveKitRegions livekit, Placements placements, DecisionPublisher decisions, RedisDataSource redis,
            ReactiveRedisDataSource reactiveRedis, @ConfigProperty(name = "quarkus.redis.timeout") Duration redisTimeout) {
        this.fleet = fleet;
        this.config = config;
        this.model = model;
        this.admission = admission;
        this.livekit = livekit;
        this.placements = placements;
        this.decisions = decisions;
        this.redis = redis;
        this.values = redis.value(String.class);
        this.reactiveValues = reactiveRedis.value(String.class);
        this.redisTimeout = redisTimeout;
        this.learned = new LearnedRtt(config.learnedRttMaxAge(), 100_000, System::currentTimeMillis);
        this.ranking = new RegionRanking(List.of(new MeasuredRtt(), learned, new GeoDistance()),
                config.regionOrder().orElse(fleet.regions().keySet().stream().sorted().toList()));
    }

    /**
     * Decides one join. A join to a room already pinned to a live node (the common case) is decided
     * on the calling event loop with the reactive client; everything else (new rooms, lost nodes,
     * LiveKit's own room map, refusals) takes the full path on a worker thread. The full path
     * decides from scratch, which is safe: a join the fast path did not admit changed nothing.
     */
    public Uni<RouteDecision> route(RouteRequest request) {
        validate(request);
        learned.learn(request);
        List<String> allowed = allowedRegions(request);
        return admitToPinnedNode(request, allowed)
                .ifNoItem().after(redisTimeout).fail()
                .onFailure().recoverWithUni(stateUnavailable -> onWorker(() -> withoutState(request, allowed,
                        stateUnavailable)))
                .onItem().ifNull().switchTo(() -> onWorker(() -> decide(request, allowed)))
                .invoke(decision -> decisions.publish(request.room(), "admitted",
                        decision.newRoom() ? "new-room" : "pinned", decision.region(),
                        Map.of("node", decision.nodeId(), "identity", request.identity(), "role", request.role(),
                                "projected_subscriptions", decision.projectedSubscriptions(),
                                "limit_subscriptions", decision.limitSubscriptions(),
                                "latency_source", decision.latencySource())))
                .onFailure(Refusal.class).invoke(failure -> {
                    Refusal refusal = (Refusal) failure;
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("identity", request.identity());
                    fields.put("detail", refusal.getMessage());
                    if (refusal.node() != null) {
                        fields.put("node", refusal.node());
                    }
                    decisions.publish(request.room(), "refused", refusal.reason(), refusal.region(), fields);
                });
    }

    /**
     * The fast path. Where a room lives ({@link PinnedRooms}: its region claim and node pin, read
     * within the last second) needs no Redis call; otherwise two reactive GETs read it. Then one
     * admission script, which re-checks the pin atomically. Null (take the full path) unless the
     * room is claimed for an allowed region, pinned to a node that is alive, and the join was
     * admitted there.
     */
    private Uni<RouteDecision> admitToPinnedNode(RouteRequest request, List<String> allowed) {
        PinnedRooms.Pin known = pinnedRooms.get(request.room());
        if (known != null) {
            return admitToPin(request, allowed, known.region(), known.node());
        }
        return reactiveValues.get(RouterKeys.roomRegion(request.room())).chain(region -> region == null
                ? Uni.createFrom().nullItem()
                : reactiveValues.get(RouterKeys.pin(region, request.room()))
                        .chain(node -> admitToPin(request, allowed, region, node)));
    }

    private Uni<RouteDecision> admitToPin(RouteRequest request, List<String> allowed, String region, String node) {
        if (node == null || !allowed.contains(region) || !alive(region, node)) {
            pinnedRooms.forget(request.room());
            return Uni.createFrom().nullItem();
        }
        NodeLimit limit = limitOf(region);
        String reservation = "rsv_" + UUID.randomUUID();
        return admission.admitPinned(region, node, request.room(), request.identity(), request.publisher(),
                reservation, model, limit, config.reservationTtl(), config.pinTtl()).map(result -> {
                    if (result.outcome() != AdmissionResult.Outcome.ADMITTED) {
                        pinnedRooms.forget(request.room());
                        return null;
                    }
                    pinnedRooms.remember(request.room(), region, node);
                    return admitted(region, node, reservation, 0, result, limit, false, "pinned");
                });
    }

    private static <T> Uni<T> onWorker(Supplier<T> blocking) {
        return Uni.createFrom().item(blocking).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The full path, blocking: pinned or new room, with the Redis failure policy. */
    private RouteDecision decide(RouteRequest request, List<String> allowed) {
        try {
            return pinnedRegion(request.room())
                    .map(region -> routePinned(request, region, allowed))
                    .orElseGet(() -> routeNewRoom(request, allowed));
        } catch (Refusal refusal) {
            throw refusal;
        } catch (RuntimeException stateUnavailable) {
            return withoutState(request, allowed, stateUnavailable);
        }
    }

    /**
     * lkfleet's Redis did not answer (its client is bounded by {@code quarkus.redis.timeout}): no
     * admission is possible. Fail closed, or, by policy, let joins of rooms LiveKit already runs
     * through to their node, unaccounted, while new rooms wait.
     */
    private RouteDecision withoutState(RouteRequest request, List<String> allowed, Throwable cause) {
        LOG.warnf("routing state unavailable (%s); policy %s", cause.getMessage(), config.redisFailurePolicy());
        if (config.redisFailurePolicy() == RouterConfig.RedisFailurePolicy.ADMIT_PINNED_ONLY) {
            for (String region : allowed) {
                Optional<String> node = livekit.liveKitNodeOf(region, request.room());
                if (node.isPresent() && alive(region, node.get())) {
                    return new RouteDecision(region, fleet.regions().get(region).livekitUrl(), node.get(), null, 0, -1,
                            -1, limitOf(region).maxSubscriptions(), false, "pinned-unaccounted");
                }
            }
        }
        throw new Refusal(Status.SERVICE_UNAVAILABLE, "state-unavailable",
                "routing state cannot be read right now; retry shortly");
    }

    /** A room already pinned goes to its node or is refused; it never moves to another node or region. */
    private RouteDecision routePinned(RouteRequest request, String region, List<String> allowed) {
        if (!allowed.contains(region)) {
            throw new Refusal(Status.FORBIDDEN, "region-not-allowed", "room " + request.room() + " runs in region "
                    + region + ", which this tenant's residency policy does not allow", region, null);
        }
        Optional<String> node = pinnedNode(region, request.room());
        if (node.isEmpty()) {
            // The region claim outlived the room's node pin (e.g. its node died): place it again, in its region.
            return placeInRegion(request, region, "pinned").orElseThrow(() -> new Refusal(Status.SERVICE_UNAVAILABLE,
                    "no-capacity", "no node of region " + region + " can take room " + request.room() + " now", region,
                    null));
        }
        if (!alive(region, node.get())) {
            // Its node died, so the room is lost (LiveKit re-creates it at the next join): place it
            // again, on a live node of its region, and pin it there.
            redis.key().del(RouterKeys.pin(region, request.room()));
            return placeInRegion(request, region, "re-placed").orElseThrow(() -> new Refusal(
                    Status.SERVICE_UNAVAILABLE, "pinned-node-gone", "room " + request.room() + " lost its node "
                            + node.get() + " and no other node of region " + region + " can take it now", region,
                    node.get()));
        }
        return admitOn(request, region, node.get(), false, "pinned")
                .orElseThrow(() -> new Refusal(Status.CONFLICT, "node-full", "room " + request.room()
                        + " is pinned to node " + node.get() + ", which has no capacity left for this join", region,
                        node.get()));
    }

    private RouteDecision routeNewRoom(RouteRequest request, List<String> allowed) {
        RoomCost expected = model.cost(expectedShape(request));
        boolean fitsSomeClass = allowed.stream().map(this::limitOf)
                .anyMatch(limit -> limit.fits(expected));
        if (!fitsSomeClass) {
            throw new Refusal(Status.CONFLICT, "room-exceeds-node", "a room of " + request.expectedParticipants()
                    + " participants needs " + expected.subscriptions() + " subscriptions and "
                    + expected.egressKbps() / 1000 + " Mbit/s, more than one node of any allowed region carries;"
                    + " adding nodes would not help (a room lives on one node)");
        }
        List<String> healthy = allowed.stream().filter(livekit::healthy).toList();
        if (healthy.isEmpty()) {
            throw new Refusal(Status.SERVICE_UNAVAILABLE, "no-healthy-region",
                    "no allowed region has a live LiveKit node right now");
        }
        for (RegionRanking.Ranked ranked : ranking.rank(request, healthy, fleet.regions())) {
            String region = ranked.region();
            Boolean claimed = values.setGet(RouterKeys.roomRegion(request.room()), region,
                    new SetArgs().nx().px(config.pinTtl())) == null;
            if (!claimed) {
                // Another join claimed this new room for some region first: follow it.
                return pinnedRegion(request.room()).map(r -> routePinned(request, r, allowed))
                        .orElseThrow(() -> new Refusal(Status.SERVICE_UNAVAILABLE, "no-capacity",
                                "room " + request.room() + " is being placed; retry"));
            }
            Optional<RouteDecision> placed = placeInRegion(request, region, ranked.source());
            if (placed.isPresent()) {
                return placed.get();
            }
            redis.execute("EVAL", "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
                    + " return 0", "1", RouterKeys.roomRegion(request.room()), region);
        }
        throw new Refusal(Status.SERVICE_UNAVAILABLE, "no-capacity",
                "no allowed region has a node with room for this join");
    }

    /** Tries the region's nodes in placement order; creates the room on the first that admits. */
    private Optional<RouteDecision> placeInRegion(RouteRequest request, String region, String latencySource) {
        NodeLimit limit = limitOf(region);
        int expectedParticipants = request.expectedParticipants() == null ? 0 : request.expectedParticipants();
        long expectedSubs = model.cost(expectedShape(request)).subscriptions();
        for (NodeLoad candidate : placements.forRoom(expectedParticipants).order(candidates(region, request.room(), limit),
                expectedSubs)) {
            Optional<RouteDecision> admitted = admitOn(request, region, candidate.nodeId(), true, latencySource);
            if (admitted.isPresent()) {
                return admitted;
            }
        }
        return Optional.empty();
    }

    /** Runs admission on one node; for a new room also pins it in LiveKit. Empty when the node is full. */
    private Optional<RouteDecision> admitOn(RouteRequest request, String region, String nodeId, boolean newRoom,
            String latencySource) {
        NodeLimit limit = limitOf(region);
        String reservation = "rsv_" + UUID.randomUUID();
        RoomCost toGrow = RoomCost.ZERO;
        if (newRoom) {
            RoomShape first = request.publisher() ? new RoomShape(1, 1, 0) : new RoomShape(1, 0, 0);
            toGrow = model.cost(expectedShape(request)).minus(model.cost(first));
        }
        AdmissionResult result = admission.admit(region, nodeId, request.room(), request.identity(), request.publisher(),
                reservation, model, limit, config.reservationTtl(), config.pinTtl(), toGrow);
        switch (result.outcome()) {
            case NODE_FULL:
                return Optional.empty();
            case ROOM_EXCEEDS_NODE:
                throw new Refusal(Status.CONFLICT, "room-exceeds-node", "with this join room " + request.room()
                        + " would need " + result.roomSubscriptions() + " subscriptions, more than one node's limit of "
                        + limit.maxSubscriptions() + "; adding nodes would not help (a room lives on one node)", region,
                        nodeId);
            case NOT_PINNED:
                throw new IllegalStateException("admission without pinned_only answered not-pinned");
            case MODEL_NOT_READY:
                throw new Refusal(Status.SERVICE_UNAVAILABLE, "model-rebuilding", "region " + region
                        + "'s load model is being rebuilt (lkfleet's Redis lost it, or capacity-service has not"
                        + " built it yet); retry shortly", region, nodeId);
            case PINNED_ELSEWHERE:
                return Optional.of(admitOn(request, region, result.pinnedNode(), false, "pinned").orElseThrow(
                        () -> new Refusal(Status.CONFLICT, "node-full", "room " + request.room() + " is pinned to node "
                                + result.pinnedNode() + ", which has no capacity left", region, result.pinnedNode())));
            default:
                break;
        }
        int maxParticipants = newRoom ? maxParticipants(request, limit) : 0;
        if (newRoom) {
            try {
                livekit.createRoom(region, request.room(), nodeId, maxParticipants);
            } catch (RuntimeException e) {
                admission.release(region, nodeId, request.room(), reservation);
                redis.key().del(RouterKeys.pin(region, request.room()));
                LOG.warnf("region %s: CreateRoom of %s on %s failed: %s", region, request.room(), nodeId, e.getMessage());
                throw new Refusal(Status.SERVICE_UNAVAILABLE, "livekit-unavailable", "region " + region
                        + "'s LiveKit did not create the room; retry shortly", region, nodeId);
            }
        }
        return Optional.of(admitted(region, nodeId, reservation, maxParticipants, result, limit, newRoom, latencySource));
    }

    private RouteDecision admitted(String region, String nodeId, String reservation, int maxParticipants,
            AdmissionResult result, NodeLimit limit, boolean newRoom, String latencySource) {
        return new RouteDecision(region, fleet.regions().get(region).livekitUrl(), nodeId, reservation, maxParticipants,
                result.nodeSubscriptions(), result.nodeEgressKbps(), limit.maxSubscriptions(), newRoom, latencySource);
    }

    /** A node LiveKit's registry lists as alive (read every poll interval, so no Redis call here). */
    private boolean alive(String region, String nodeId) {
        long now = System.currentTimeMillis() / 1000;
        return livekit.node(region, nodeId).map(n -> n.alive(now)).orElse(false);
    }

    /** Live, serving, not draining nodes of a region; a node scheduled for another big room only for that room. */
    private List<NodeLoad> candidates(String region, String room, NodeLimit limit) {
        long now = System.currentTimeMillis() / 1000;
        Set<String> draining = redis.set(String.class).smembers(RouterKeys.draining(region));
        Map<String, String> scheduled = redis.hash(String.class).hgetall(RouterKeys.scheduled(region));
        List<NodeLoad> loads = new ArrayList<>();
        for (RegisteredNode node : livekit.nodes(region)) {
            String booking = scheduled.get(node.id());
            boolean booked = booking != null && ScheduledRooms.activeFor(booking);
            if (!node.takesNewRooms(now) || draining.contains(node.id())
                    || booked && !ScheduledRooms.room(booking).equals(room)) {
                continue;
            }
            NodeLoad load = new NodeLoad(node.id(), admission.load(region, node.id()), limit.maxSubscriptions());
            if (booked) {
                return List.of(load); // a booked room goes to the node kept for it
            }
            loads.add(load);
        }
        return loads;
    }

    /** The region a room lives in: the router's claim, else LiveKit's own map in an allowed region. */
    private Optional<String> pinnedRegion(String room) {
        String claimed = values.get(RouterKeys.roomRegion(room));
        if (claimed != null) {
            return Optional.of(claimed);
        }
        return fleet.regions().keySet().stream().filter(r -> livekit.liveKitNodeOf(r, room).isPresent()).findFirst();
    }

    /** The node a room is pinned to: the router's pin, else where LiveKit keeps it. */
    private Optional<String> pinnedNode(String region, String room) {
        return Optional.ofNullable(values.get(RouterKeys.pin(region, room)))
                .or(() -> livekit.liveKitNodeOf(region, room));
    }

    private List<String> allowedRegions(RouteRequest request) {
        List<String> allowed = fleet.regions().entrySet().stream()
                .filter(e -> request.allowedRegions() == null || request.allowedRegions().isEmpty()
                        || request.allowedRegions().contains(e.getKey()))
                .filter(e -> request.jurisdictions() == null || e.getValue().jurisdictions().containsAll(request.jurisdictions()))
                .map(Map.Entry::getKey).sorted().toList();
        if (allowed.isEmpty()) {
            throw new Refusal(Status.FORBIDDEN, "region-not-allowed",
                    "no region of the fleet satisfies this tenant's residency policy");
        }
        return allowed;
    }

    private NodeLimit limitOf(String region) {
        return model.limitIn(fleet, region);
    }

    /** The declared shape of a new room; undeclared rooms are expected to reach {@code router.default-room-participants}. */
    private RoomShape expectedShape(RouteRequest request) {
        int participants = request.expectedParticipants() == null ? config.defaultRoomParticipants()
                : request.expectedParticipants();
        int publishers = request.expectedPublishers() == null ? participants
                : Math.min(request.expectedPublishers(), participants);
        return new RoomShape(participants, publishers, 0);
    }

    /** The most participants of this room's shape that fit one node under {@code limit}. */
    private int maxParticipants(RouteRequest request, NodeLimit limit) {
        int low = 1;
        int high = 100_000;
        while (low < high) {
            int mid = (low + high + 1) / 2;
            int publishers = request.expectedPublishers() == null ? mid : Math.min(request.expectedPublishers(), mid);
            RoomCost cost = model.cost(new RoomShape(mid, publishers, 0));
            if (limit.fits(cost)) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    private static void validate(RouteRequest request) {
        if (request == null || request.room() == null || request.room().isBlank()) {
            throw new Refusal(Status.BAD_REQUEST, "invalid-room", "room is required");
        }
        if (request.identity() == null || request.identity().isBlank()) {
            throw new Refusal(Status.BAD_REQUEST, "invalid-identity", "identity is required");
        }
        if (!Set.of("publisher", "subscriber", "hidden").contains(String.valueOf(request.role()))) {
            throw new Refusal(Status.BAD_REQUEST, "invalid-role", "role must be publisher, subscriber or hidden");
        }
        if (request.expectedParticipants() != null && request.expectedParticipants() < 1) {
            throw new Refusal(Status.BAD_REQUEST, "invalid-expected-participants", "expected_participants must be >= 1");
        }
    }
}
