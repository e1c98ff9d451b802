package io.lkfleet.router.admission;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.redis.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Admission as one atomic Redis script ({@code admit.lua}): model load + live reservations + this
 * join's delta must fit the node's limit, or the join is refused. No interleaving of concurrent
 * joins can overbook a node, because the check and the reservation are one script.
 */
@ApplicationScoped
public class Admission {
    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactiveRedis;
    private final LuaScript admit;
    private final LuaScript release;

    public Admission(RedisDataSource redis, ReactiveRedisDataSource reactiveRedis) {
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
        this.admit = LuaScript.load(Admission.class, "admit.lua");
        this.release = LuaScript.load(Admission.class, "release.lua");
    }

    /** One join to a room that already has its node: only the join's own delta must fit. */
    public AdmissionResult admit(String region, String nodeId, String room, String identity, boolean publisher,
            String reservationId, CapacityModel model, NodeLimit limit, Duration reservationTtl, Duration pinTtl) {
        return admit(region, nodeId, room, identity, publisher, reservationId, model, limit, reservationTtl, pinTtl,
                RoomCost.ZERO);
    }

    /**
     * One join, {@code publisher} or not, of {@code room} on {@code nodeId}, under {@code limit}. For
     * the first join of a new room, {@code roomToGrow} is what its expected size needs beyond this
     * join: the node must have that free too, so a new room is not placed where it cannot grow.
     */
    public AdmissionResult admit(String region, String nodeId, String room, String identity, boolean publisher,
            String reservationId, CapacityModel model, NodeLimit limit, Duration reservationTtl, Duration pinTtl,
            RoomCost roomToGrow) {
        Script call = script(region, nodeId, room, identity, publisher, reservationId, model, limit, reservationTtl,
                pinTtl, roomToGrow);
        return result(admit.run(redis, call.keys(), call.args()));
    }

    /**
     * {@link #admit} of a join to a room the caller saw pinned to {@code nodeId}, without blocking a
     * thread. The script checks the pin atomically: {@code NOT_PINNED} or {@code PINNED_ELSEWHERE}
     * (nothing reserved) when the room is no longer pinned there.
     */
    public Uni<AdmissionResult> admitPinned(String region, String nodeId, String room, String identity,
            boolean publisher, String reservationId, CapacityModel model, NodeLimit limit, Duration reservationTtl,
            Duration pinTtl) {
        Script call = script(region, nodeId, room, identity, publisher, reservationId, model, limit, reservationTtl,
                pinTtl, RoomCost.ZERO);
        List<String> pinnedOnly = new ArrayList<>(call.args());
        pinnedOnly.add("1");
        return admit.run(reactiveRedis, call.keys(), pinnedOnly).map(Admission::result);
    }

    private record Script(List<String> keys, List<String> args) {
    }

    private static Script script(String region, String nodeId, String room, String identity, boolean publisher,
            String reservationId, CapacityModel model, NodeLimit limit, Duration reservationTtl, Duration pinTtl,
            RoomCost roomToGrow) {
        long now = System.currentTimeMillis();
        List<String> keys = List.of(RedisKeys.node(region, nodeId), RouterKeys.nodeReservations(region, nodeId),
                RouterKeys.nodeReserved(region, nodeId), RedisKeys.room(region, room),
                RouterKeys.roomReservations(region, room), RouterKeys.roomReserved(region, room),
                RouterKeys.pin(region, room), RedisKeys.model(region));
        List<String> args = List.of(Long.toString(now), Long.toString(now + reservationTtl.toMillis()), reservationId,
                identity, publisher ? "P" : "S", Double.toString(model.forwardedVideoKbps()),
                Integer.toString(model.assumptions().audioKbps()), Integer.toString(model.assumptions().screenShareKbps()),
                Long.toString(limit.maxSubscriptions()), Long.toString(limit.maxEgressKbps()), nodeId,
                Long.toString(pinTtl.toMillis()), Long.toString(Math.max(0, roomToGrow.subscriptions())),
                Long.toString(Math.max(0, roomToGrow.egressKbps())));
        return new Script(keys, args);
    }

    private static AdmissionResult result(Response reply) {
        String status = reply.get(0).toString();
        return switch (status) {
            case "pinned-elsewhere" -> new AdmissionResult(AdmissionResult.Outcome.PINNED_ELSEWHERE, 0, 0, 0, 0,
                    reply.get(1).toString());
            case "not-pinned" -> new AdmissionResult(AdmissionResult.Outcome.NOT_PINNED, 0, 0, 0, 0, null);
            case "model-not-ready" -> new AdmissionResult(AdmissionResult.Outcome.MODEL_NOT_READY, 0, 0, 0, 0, null);
            case "admitted", "node-full", "room-exceeds-node" -> new AdmissionResult(outcome(status),
                    reply.get(1).toLong(), reply.get(2).toLong(), reply.get(3).toLong(), reply.get(4).toInteger(), null);
            default -> throw new IllegalStateException("admission script answered " + status);
        };
    }

    private static AdmissionResult.Outcome outcome(String status) {
        return switch (status) {
            case "admitted" -> AdmissionResult.Outcome.ADMITTED;
            case "node-full" -> AdmissionResult.Outcome.NODE_FULL;
            default -> AdmissionResult.Outcome.ROOM_EXCEEDS_NODE;
        };
    }

    /**
     * A node's load in subscriptions right now, model plus live reservations, for ordering nodes;
     * the admission script re-reads it atomically before deciding.
     */
    public long load(String region, String nodeId) {
        return number(redis.hash(String.class).hget(RedisKeys.node(region, nodeId), "subscriptions"))
                + number(redis.hash(String.class).hget(RouterKeys.nodeReserved(region, nodeId), "subs"));
    }

    private static long number(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }

    /** Gives back a reservation whose join will not happen; true if it was still there. */
    public boolean release(String region, String nodeId, String room, String reservationId) {
        Response removed = release.run(redis, List.of(RouterKeys.nodeReservations(region, nodeId),
                RouterKeys.nodeReserved(region, nodeId), RouterKeys.roomReservations(region, room),
                RouterKeys.roomReserved(region, room)), List.of(reservationId));
        return removed.toInteger() > 0;
    }
}
