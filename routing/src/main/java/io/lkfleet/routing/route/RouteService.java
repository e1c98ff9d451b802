package io.lkfleet.routing.route;

import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.routing.Refusal;
import io.lkfleet.routing.config.RoutingConfig;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Decides one join, without blocking a thread (design §2, region-router), at most
 * {@code routing.max-concurrent-routes} at once ({@link RouteGate}). A join to a room this instance
 * has admitted within the pin's lifetime, pinned to a live node (the common case), takes the fast
 * path: one admission script that re-checks the pin. Everything else reads a {@link FleetSnapshot}
 * (which has the room's claim and pins too), lets the {@link RoutePlanner} choose the nodes to try
 * and the {@link RouteExecutor} try them. When lkfleet's Redis does not answer, the failure policy
 * decides.
 */
@ApplicationScoped
public class RouteService {
    private static final Logger LOG = Logger.getLogger(RouteService.class);
    private static final Set<String> ROLES = Set.of("publisher", "subscriber", "hidden");
    /** How often a join plans again when the room was placed under it (each time it follows that placement). */
    private static final int REPLANS = 2;

    private final FleetConfig fleet;
    private final RoutingConfig config;
    private final RoutePlanner planner;
    private final SnapshotReader snapshots;
    private final RouteExecutor executor;
    private final LiveKitRegions livekit;
    private final PinnedRooms pinnedRooms;
    private final RouteGate gate;

    public RouteService(FleetConfig fleet, RoutingConfig config, RoutePlanner planner, SnapshotReader snapshots,
            RouteExecutor executor, LiveKitRegions livekit) {
        this.fleet = fleet;
        this.config = config;
        this.planner = planner;
        this.snapshots = snapshots;
        this.executor = executor;
        this.livekit = livekit;
        // as long as a pin lives: every use is re-checked by the admission script, so an old entry costs a
        // refused fast path at worst, and a room that exists costs one round trip, not three (issue 15)
        this.pinnedRooms = new PinnedRooms(config.pinTtl(), 100_000);
        this.gate = new RouteGate(config.maxConcurrentRoutes());
    }

    public Uni<RouteDecision> route(RouteRequest request) {
        validate(request);
        planner.learn(request);
        List<String> allowed = planner.allowedRegions(request);
        return executor.recorded(request, gate.through(() -> toPinnedNode(request, allowed)
                .onItem().ifNull().switchTo(() -> planned(request, allowed, REPLANS))
                .onFailure(RouteService::stateUnavailable).recoverWithUni(e -> withoutState(request, allowed, e))));
    }

    /**
     * The fast path, for a room {@link PinnedRooms} knows (admitted by this instance within the pin's
     * lifetime); null (take the planned path) unless it is pinned in an allowed region to a node that is
     * alive and the join was admitted there. A room it does not know goes straight to the planned path,
     * whose one snapshot read has the room's claim and pins too: reading them first on their own cost a
     * new room's join one more round trip (issue 15.2).
     */
    private Uni<RouteDecision> toPinnedNode(RouteRequest request, List<String> allowed) {
        PinnedRooms.Pin room = pinnedRooms.get(request.room());
        if (room == null) {
            return Uni.createFrom().nullItem();
        }
        if (!allowed.contains(room.region())
                || !planner.alive(livekit.nodes(room.region()), room.node(), System.currentTimeMillis())) {
            pinnedRooms.forget(request.room());
            return Uni.createFrom().nullItem();
        }
        return executor.admitPinned(request, room.region(), room.node()).invoke(decision -> {
            if (decision == null) {
                pinnedRooms.forget(request.room());
            } else {
                pinnedRooms.remember(request.room(), room.region(), room.node());
            }
        });
    }

    /**
     * The planned path: snapshot, plan, execute; planned again if another join placed the room meanwhile.
     * Where it admitted the join is remembered, so the room's next join here takes the fast path.
     */
    private Uni<RouteDecision> planned(RouteRequest request, List<String> allowed, int replans) {
        return snapshots.read(request.room(), allowed).map(snapshot -> planner.plan(request, snapshot))
                .chain(attempts -> executor.execute(request, attempts))
                .invoke(decision -> pinnedRooms.remember(request.room(), decision.region(), decision.nodeId()))
                .onFailure(RouteExecutor.Replan.class).recoverWithUni(() -> replans > 0 ? planned(request, allowed, replans - 1)
                        : Uni.createFrom().failure(new Refusal(Reason.NO_CAPACITY, "room " + request.room()
                                + " is being placed; retry")));
    }

    private static boolean stateUnavailable(Throwable failure) {
        return !(failure instanceof Refusal) && !(failure instanceof RouteExecutor.Replan);
    }

    /**
     * lkfleet's Redis did not answer in {@code quarkus.redis.timeout}: no admission is possible. Fail
     * closed, or, by policy, let joins of rooms LiveKit already runs through to their node,
     * unaccounted, while new rooms wait.
     */
    private Uni<RouteDecision> withoutState(RouteRequest request, List<String> allowed, Throwable cause) {
        LOG.warnf("routing state unavailable (%s); policy %s", cause.toString(), config.redisFailurePolicy());
        Refusal unavailable = new Refusal(Reason.STATE_UNAVAILABLE, "routing state cannot be read right now; retry shortly");
        if (config.redisFailurePolicy() != RoutingConfig.RedisFailurePolicy.ADMIT_PINNED_ONLY) {
            return Uni.createFrom().failure(unavailable);
        }
        return snapshots.liveKitNodes(request.room(), allowed).map(nodes -> {
            long now = System.currentTimeMillis();
            for (String region : allowed) {
                String node = nodes.get(region);
                if (node != null && planner.alive(livekit.nodes(region), node, now)) {
                    return new RouteDecision(region, fleet.regions().get(region).livekitUrl(), node, null, 0, -1, -1,
                            planner.limitOf(region).maxSubscriptions(), false, "pinned-unaccounted");
                }
            }
            throw unavailable;
        }).onFailure(e -> !(e instanceof Refusal)).transform(e -> unavailable);
    }

    private static void validate(RouteRequest request) {
        if (request == null || request.room() == null || request.room().isBlank()) {
            throw new Refusal(Reason.INVALID_ROOM, "room is required");
        }
        if (request.identity() == null || request.identity().isBlank()) {
            throw new Refusal(Reason.INVALID_IDENTITY, "identity is required");
        }
        if (!ROLES.contains(String.valueOf(request.role()))) {
            throw new Refusal(Reason.INVALID_ROLE, "role must be publisher, subscriber or hidden");
        }
        if (request.expectedParticipants() != null && request.expectedParticipants() < 1) {
            throw new Refusal(Reason.INVALID_EXPECTED_PARTICIPANTS, "expected_participants must be >= 1");
        }
    }
}
