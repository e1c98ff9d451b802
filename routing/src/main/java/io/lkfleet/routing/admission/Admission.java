package io.lkfleet.routing.admission;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.redis.LuaScript;
import io.lkfleet.routing.PipelinedRedis;
import io.lkfleet.routing.RedisBound;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Admission as one atomic Redis script ({@code admit.lua}): model load + live reservations + this
 * join's delta must fit the node's limit, or the join is refused. No interleaving of concurrent
 * joins can overbook a node, because the check and the reservation are one script.
 */
@ApplicationScoped
public class Admission {
    private static final Logger LOG = Logger.getLogger(Admission.class);
    private static final LuaScript ADMIT = LuaScript.load(Admission.class, "admit.lua");
    private static final LuaScript RELEASE = LuaScript.load(Admission.class, "release.lua");

    private final ReactiveRedisDataSource reactiveRedis;
    private final PipelinedRedis pipelined;
    private final CapacityModel model;
    private final RedisBound bound;

    public Admission(ReactiveRedisDataSource reactiveRedis, PipelinedRedis pipelined, CapacityModel model,
            RedisBound bound) {
        this.reactiveRedis = reactiveRedis;
        this.pipelined = pipelined;
        this.model = model;
        this.bound = bound;
    }

    /**
     * Runs the admission script for one join, without blocking; bounded ({@link RedisBound}).
     * When the bound answers first, the script may still run: if it then admits the join with a new
     * reservation, that reservation is given back at once, so a join answered "state unavailable" leaves
     * nothing that admission still counts (a refreshed seat, held by an earlier answer, stays).
     */
    public Uni<AdmissionResult> admit(AdmissionRequest join) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<AdmissionResult> answer = run(join).toCompletionStage().toCompletableFuture();
            // a copy: the bound cancels what it waits on, and the script's late answer must still be seen
            return bound.on("admit.lua", Uni.createFrom().completionStage(answer.copy()))
                    .onFailure(RedisBound.RedisTimeoutException.class)
                    .invoke(() -> answer.thenAccept(late -> releaseLate(join, late)));
        });
    }

    private void releaseLate(AdmissionRequest join, AdmissionResult late) {
        if (late.outcome() != AdmissionResult.Outcome.ADMITTED || !join.reservationId().equals(late.reservationId())) {
            return;
        }
        release(join.region(), join.nodeId(), join.room(), join.tenant(), join.reservationId()).subscribe().with(
                released -> LOG.infof("region %s: reservation %s of a join answered before its admission came back"
                        + " given back (%s)", join.region(), join.reservationId(), released),
                e -> LOG.warnf("region %s: reservation %s of a join answered before its admission came back could not"
                        + " be given back (it expires after routing.reservation-ttl): %s", join.region(),
                        join.reservationId(), e.toString()));
    }

    /** The script, on this event loop's pipelined connection (one per token: the hot path of every join). */
    private Future<AdmissionResult> run(AdmissionRequest join) {
        long now = System.currentTimeMillis();
        List<String> keys = List.of(RedisKeys.node(join.region(), join.nodeId()),
                RouterKeys.nodeReservations(join.region(), join.nodeId()),
                RouterKeys.nodeReserved(join.region(), join.nodeId()), RedisKeys.room(join.region(), join.room()),
                RouterKeys.roomReservations(join.region(), join.room()),
                RouterKeys.roomReserved(join.region(), join.room()), RouterKeys.pin(join.region(), join.room()),
                RedisKeys.model(join.region()), RouterKeys.tenantReservations(join.region(), join.tenant()));
        List<String> args = List.of(Long.toString(now), Long.toString(now + join.reservationTtl().toMillis()),
                join.reservationId(), join.identity(), join.publisher() ? "P" : "S",
                Double.toString(model.forwardedVideoKbps()), Integer.toString(model.assumptions().audioKbps()),
                Integer.toString(model.assumptions().screenShareKbps()), Long.toString(join.limit().maxSubscriptions()),
                Long.toString(join.limit().maxEgressKbps()), join.nodeId(), Long.toString(join.pinTtl().toMillis()),
                Long.toString(Math.max(0, join.roomToGrow().subscriptions())),
                Long.toString(Math.max(0, join.roomToGrow().egressKbps())), join.pinnedOnly() ? "1" : "0",
                join.tenant(), Integer.toString(join.maxTenantReservations()));
        return ADMIT.run(pipelined::send, keys, args).map(Admission::result);
    }

    private static AdmissionResult result(Response reply) {
        String status = reply.get(0).toString();
        return switch (status) {
            case "pinned-elsewhere" -> new AdmissionResult(AdmissionResult.Outcome.PINNED_ELSEWHERE, 0, 0, 0, 0,
                    reply.get(1).toString(), null);
            case "not-pinned" -> nothing(AdmissionResult.Outcome.NOT_PINNED);
            case "model-not-ready" -> nothing(AdmissionResult.Outcome.MODEL_NOT_READY);
            case "reservation-limit" -> nothing(AdmissionResult.Outcome.RESERVATION_LIMIT);
            case "admitted", "node-full", "room-exceeds-node" -> new AdmissionResult(outcome(status),
                    reply.get(1).toLong(), reply.get(2).toLong(), reply.get(3).toLong(), reply.get(4).toInteger(), null,
                    reply.size() > 5 ? reply.get(5).toString() : null);
            default -> throw new IllegalStateException("admission script answered " + status);
        };
    }

    private static AdmissionResult nothing(AdmissionResult.Outcome outcome) {
        return new AdmissionResult(outcome, 0, 0, 0, 0, null, null);
    }

    private static AdmissionResult.Outcome outcome(String status) {
        return switch (status) {
            case "admitted" -> AdmissionResult.Outcome.ADMITTED;
            case "node-full" -> AdmissionResult.Outcome.NODE_FULL;
            default -> AdmissionResult.Outcome.ROOM_EXCEEDS_NODE;
        };
    }

    /** Gives back a reservation whose join will not happen, with its seat; true if it was still there. */
    public Uni<Boolean> release(String region, String nodeId, String room, String tenant, String reservationId) {
        return bound.on("release.lua", RELEASE.run(reactiveRedis, List.of(RouterKeys.nodeReservations(region, nodeId),
                RouterKeys.nodeReserved(region, nodeId), RouterKeys.roomReservations(region, room),
                RouterKeys.roomReserved(region, room), RouterKeys.tenantReservations(region, tenant)),
                List.of(reservationId))).map(removed -> removed.toInteger() > 0);
    }
}
