package io.lkfleet.routing.route;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.routing.Refusal;
import io.lkfleet.routing.admission.Admission;
import io.lkfleet.routing.admission.AdmissionRequest;
import io.lkfleet.routing.admission.AdmissionResult;
import io.lkfleet.routing.admission.RoomPins;
import io.lkfleet.routing.config.RoutingConfig;
import io.lkfleet.routing.decision.DecisionPublisher;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Acts on a plan: tries its {@link Attempt}s in order. For each it claims the room's region if the
 * room has no claim yet, runs the admission script, and for a room it places creates the room on
 * that node through LiveKit's CreateRoom (giving the reservation, pin and claim back if that
 * fails). A full node moves on to the next attempt; any other refusal ends the join. Every decision
 * is published ({@link #recorded}).
 */
@ApplicationScoped
public class RouteExecutor {
    private static final Logger LOG = Logger.getLogger(RouteExecutor.class);

    /** The room's claim or pin changed under this plan (another join placed it): plan again from a new snapshot. */
    static final class Replan extends RuntimeException {
        Replan() {
            super("the room was placed concurrently", null, false, false);
        }
    }

    private final FleetConfig fleet;
    private final RoutingConfig config;
    private final CapacityModel model;
    private final Admission admission;
    private final RoomPins pins;
    private final LiveKitRegions livekit;
    private final DecisionPublisher decisions;

    public RouteExecutor(FleetConfig fleet, RoutingConfig config, CapacityModel model, Admission admission, RoomPins pins,
            LiveKitRegions livekit, DecisionPublisher decisions) {
        this.fleet = fleet;
        this.config = config;
        this.model = model;
        this.admission = admission;
        this.pins = pins;
        this.livekit = livekit;
        this.decisions = decisions;
    }

    /** Tries {@code attempts} in order; fails with the last one's refusal when every node was full. */
    public Uni<RouteDecision> execute(RouteRequest join, List<Attempt> attempts) {
        Run run = new Run(join, attempts);
        return run.from(0).onFailure().call(() -> run.giveUpClaim().onFailure().recoverWithNull());
    }

    /**
     * The fast path's one script: admits the join on {@code node} only if the room is still pinned
     * there. Null (nothing reserved) when it was not admitted, for whatever reason.
     */
    public Uni<RouteDecision> admitPinned(RouteRequest join, String region, String node) {
        return admission.admit(request(join, region, node, RoomCost.ZERO, true))
                .map(result -> result.outcome() == AdmissionResult.Outcome.ADMITTED
                        ? decision(region, node, 0, result, false, "pinned")
                        : null);
    }

    /** One try of a plan, with the region claim it holds so far (given back if the join fails). */
    private final class Run {
        private final RouteRequest join;
        private final List<Attempt> attempts;
        private String claimed;

        Run(RouteRequest join, List<Attempt> attempts) {
            this.join = join;
            this.attempts = attempts;
        }

        Uni<RouteDecision> from(int index) {
            if (index == attempts.size()) {
                Attempt last = attempts.get(index - 1);
                // Claimed by another join and not pinned yet: that join may be moving the room to another
                // region (every node of this one full for it too), so look again rather than refuse.
                return Uni.createFrom().failure(last.kind() == Attempt.Kind.PLACE_IN_CLAIMED && !last.claimRegion()
                        ? new Replan() : last.exhausted(join.room()));
            }
            Attempt attempt = attempts.get(index);
            return claimAndAdmit(attempt).chain(result -> switch (result.outcome()) {
                        case ADMITTED -> attempt.createsRoom() ? create(attempt, result)
                                : Uni.createFrom().item(decision(attempt.region(), attempt.node(), 0, result, false,
                                        attempt.latencySource()));
                        case NODE_FULL -> from(index + 1);
                        case ROOM_EXCEEDS_NODE -> Uni.createFrom().failure(new Refusal(Reason.ROOM_EXCEEDS_NODE,
                                "with this join room " + join.room() + " would need " + result.roomSubscriptions()
                                        + " subscriptions, more than one node's limit of "
                                        + limitOf(attempt.region()).maxSubscriptions()
                                        + "; adding nodes would not help (a room lives on one node)",
                                attempt.region(), attempt.node()));
                        case MODEL_NOT_READY -> Uni.createFrom().failure(new Refusal(Reason.MODEL_REBUILDING, "region "
                                + attempt.region() + "'s load model is being rebuilt (lkfleet's Redis lost it, or"
                                + " capacity-service has not built it yet); retry shortly", attempt.region(),
                                attempt.node()));
                        case RESERVATION_LIMIT -> Uni.createFrom().failure(new Refusal(Reason.RESERVATION_LIMIT,
                                "tenant " + tenantOf(join) + " holds " + config.maxReservationsPerTenant()
                                        + " reservations of joins not connected yet in region " + attempt.region()
                                        + "; retry once some have joined or expired", attempt.region(), null));
                        case PINNED_ELSEWHERE -> attempt.kind() == Attempt.Kind.PINNED ? Uni.createFrom().failure(new Replan())
                                : followPin(attempt, result.pinnedNode());
                        case NOT_PINNED -> Uni.createFrom().failure(new Replan());
                    });
        }

        /**
         * Another join of this burst pinned the room first, on {@code node}: the join goes there now,
         * and nowhere else (its refusal is that node's). The region claim stays: the room lives there.
         */
        private Uni<RouteDecision> followPin(Attempt placing, String node) {
            claimed = null;
            return new Run(join, List.of(new Attempt(Attempt.Kind.PINNED, placing.region(), node, "pinned", 0,
                    RoomCost.ZERO, false, null))).from(0);
        }

        /**
         * The attempt's admission, with its region claimed first for a room without a claim (giving up the
         * claim of a region tried before). The claim and the admission script are sent together (issue 15.2:
         * on a loaded box each round trip cost a new room's join several ms): on the event loop's connection
         * the claim runs first, and Redis answers both from one read. The admission does not depend on the
         * claim (it re-checks the pin itself); a claim that was lost is judged with its admission's outcome
         * ({@link #afterLostClaim}).
         */
        private Uni<AdmissionResult> claimAndAdmit(Attempt attempt) {
            AdmissionRequest request = request(join, attempt.region(), attempt.node(), attempt.roomToGrow(), false);
            if (!attempt.claimRegion() || attempt.region().equals(claimed)) {
                return unpinLost(attempt).chain(() -> admission.admit(request));
            }
            if (attempt.kind() == Attempt.Kind.REPLACE_LOST) {
                // the dead node's pin must be gone before the script runs: claim, unpin, admit, in turn
                return giveUpClaim().chain(() -> pins.claim(join.room(), attempt.region(), config.pinTtl()))
                        .invoke(holder -> {
                            if (holder != null) {
                                throw new Replan();
                            }
                            claimed = attempt.region();
                        }).chain(() -> unpinLost(attempt)).chain(() -> admission.admit(request));
            }
            return giveUpClaim().chain(() -> {
                // both sent now, the claim first; each settles on its own before either is looked at
                CompletableFuture<String> claim = pins.claim(join.room(), attempt.region(), config.pinTtl())
                        .subscribeAsCompletionStage();
                CompletableFuture<AdmissionResult> admit = admission.admit(request).subscribeAsCompletionStage();
                return Uni.createFrom().completionStage(CompletableFuture.allOf(claim, admit).handle((ok, e) -> ok))
                        .chain(() -> claimed(attempt, request, claim, admit));
            });
        }

        private Uni<AdmissionResult> claimed(Attempt attempt, AdmissionRequest request,
                CompletableFuture<String> claim, CompletableFuture<AdmissionResult> admit) {
            if (claim.isCompletedExceptionally()) {
                Throwable failure = claim.handle((holder, e) -> e).join();
                AdmissionResult result = admit.isCompletedExceptionally() ? null : admit.join();
                return giveBack(attempt, request, result).chain(() -> Uni.createFrom().failure(failure));
            }
            String holder = claim.join();
            if (holder == null) {
                claimed = attempt.region();
                return Uni.createFrom().completionStage(admit);
            }
            return Uni.createFrom().completionStage(admit).chain(result -> afterLostClaim(attempt, request, holder, result));
        }

        /**
         * Another join claimed the room first. Claimed for this region, the admission stands: the script
         * admitted the join on the room's pin (set by it or by the other join) or names the pin to follow;
         * anything else plans again, as a lost claim always did. Claimed for another region, the room goes
         * there: whatever this admission reserved and pinned here is given back, and the join plans again.
         */
        private Uni<AdmissionResult> afterLostClaim(Attempt attempt, AdmissionRequest request, String holder,
                AdmissionResult result) {
            if (holder.equals(attempt.region()) && (result.outcome() == AdmissionResult.Outcome.ADMITTED
                    || result.outcome() == AdmissionResult.Outcome.PINNED_ELSEWHERE)) {
                return Uni.createFrom().item(result);
            }
            return giveBack(attempt, request, result).chain(() -> Uni.createFrom().failure(new Replan()));
        }

        /** Gives back what an admission that will not be used reserved and pinned; nothing if it admitted nothing. */
        private Uni<Void> giveBack(Attempt attempt, AdmissionRequest request, AdmissionResult result) {
            if (result == null || result.outcome() != AdmissionResult.Outcome.ADMITTED) {
                return Uni.createFrom().voidItem();
            }
            Uni<Boolean> released = request.reservationId().equals(result.reservationId())
                    ? admission.release(attempt.region(), attempt.node(), join.room(), tenantOf(join), result.reservationId())
                    : Uni.createFrom().item(false); // a seat this identity already held stays with its answer
            return released.chain(() -> pins.unpin(attempt.region(), join.room(), attempt.node()))
                    .onFailure().recoverWithNull().replaceWithVoid(); // else the reservation expires, the pin is unused
        }

        /** A room re-placed from a dead node: its pin to that node goes (compare-and-delete: a pin set since stays). */
        private Uni<Void> unpinLost(Attempt attempt) {
            return attempt.kind() == Attempt.Kind.REPLACE_LOST
                    ? pins.unpin(attempt.region(), join.room(), attempt.lostNode()).replaceWithVoid()
                    : Uni.createFrom().voidItem();
        }

        Uni<Boolean> giveUpClaim() {
            String region = claimed;
            claimed = null;
            return region == null ? Uni.createFrom().item(false) : pins.releaseClaim(join.room(), region);
        }

        /** Pins the admitted room in LiveKit; if CreateRoom fails, gives back the reservation and the pin. */
        private Uni<RouteDecision> create(Attempt attempt, AdmissionResult result) {
            String region = attempt.region();
            String node = attempt.node();
            return livekit.createRoom(region, join.room(), node, attempt.maxParticipants())
                    .map(created -> {
                        claimed = null; // the room is placed: its claim stays
                        return decision(region, node, attempt.maxParticipants(), result, true, attempt.latencySource());
                    })
                    .onFailure().recoverWithUni(e -> {
                        LOG.warnf("region %s: CreateRoom of %s on %s failed: %s", region, join.room(), node, e.getMessage());
                        return admission.release(region, node, join.room(), tenantOf(join), result.reservationId())
                                .chain(() -> pins.unpin(region, join.room(), node)).onFailure().recoverWithNull()
                                .chain(() -> Uni.createFrom().failure(new Refusal(Reason.LIVEKIT_UNAVAILABLE, "region "
                                        + region + "'s LiveKit did not create the room; retry shortly", region, node)));
                    });
        }
    }

    /** Publishes the decision {@code route} ends in, admitted or refused. */
    public Uni<RouteDecision> recorded(RouteRequest join, Uni<RouteDecision> route) {
        return route.invoke(d -> decisions.publish(new DecisionRecord(DecisionRecord.VERSION, System.currentTimeMillis(),
                join.room(), DecisionRecord.ADMITTED, d.newRoom() ? DecisionPublisher.NEW_ROOM : DecisionPublisher.PINNED,
                d.region(), d.nodeId(),
                join.tenant(), join.identity(), join.role(), d.projectedSubscriptions(), d.limitSubscriptions(),
                d.latencySource(), null)))
                .onFailure(Refusal.class).invoke(failure -> {
                    Refusal refusal = (Refusal) failure;
                    decisions.publish(new DecisionRecord(DecisionRecord.VERSION, System.currentTimeMillis(), join.room(),
                            DecisionRecord.REFUSED, refusal.reason(), refusal.region(), refusal.node(), join.tenant(),
                            join.identity(), join.role(), -1, -1, null, refusal.getMessage()));
                });
    }

    private AdmissionRequest request(RouteRequest join, String region, String node, RoomCost roomToGrow,
            boolean pinnedOnly) {
        return new AdmissionRequest(region, node, join.room(), join.identity(), join.publisher(),
                "rsv_" + UUID.randomUUID(), limitOf(region), config.reservationTtl(), config.pinTtl(), roomToGrow,
                pinnedOnly, tenantOf(join), config.maxReservationsPerTenant());
    }

    /** Joins routed without a tenant share one allowance. */
    private static String tenantOf(RouteRequest join) {
        return join.tenant() == null || join.tenant().isBlank() ? "-" : join.tenant();
    }

    private RouteDecision decision(String region, String node, int maxParticipants, AdmissionResult result,
            boolean newRoom, String latencySource) {
        return new RouteDecision(region, fleet.regions().get(region).livekitUrl(), node, result.reservationId(),
                maxParticipants,
                result.nodeSubscriptions(), result.nodeEgressKbps(), limitOf(region).maxSubscriptions(), newRoom,
                latencySource);
    }

    private NodeLimit limitOf(String region) {
        return model.limitIn(fleet, region);
    }
}
