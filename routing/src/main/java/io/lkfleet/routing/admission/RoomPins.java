package io.lkfleet.routing.admission;

import io.lkfleet.common.redis.LuaScript;
import io.lkfleet.routing.PipelinedRedis;
import io.lkfleet.routing.RedisBound;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/**
 * Where a room lives, as the router decided it: its region claim ({@link RouterKeys#roomRegion}, set
 * once with SET NX so two first joins cannot place one room in two regions) and its node pin
 * ({@link RouterKeys#pin}, set by admit.lua). Both are only ever removed by compare-and-delete, so a
 * caller that saw an old value cannot remove one another caller wrote since.
 */
@ApplicationScoped
public class RoomPins {
    private static final LuaScript COMPARE_AND_DELETE = LuaScript.load(RoomPins.class, "compare_and_delete.lua");

    private final ReactiveRedisDataSource redis;
    private final PipelinedRedis pipelined;
    private final RedisBound bound;

    /** Every call is bounded ({@link RedisBound}), as on the whole route path. */
    public RoomPins(ReactiveRedisDataSource redis, PipelinedRedis pipelined, RedisBound bound) {
        this.redis = redis;
        this.pipelined = pipelined;
        this.bound = bound;
    }

    /**
     * Claims {@code region} for a new room: null when this call claimed it, else the region the room was
     * already claimed for. Sent on the event loop's pipelined connection, like the admission script, so a
     * new room's claim and admission made one after the other go out together (one round trip, issue 15.2).
     */
    public Uni<String> claim(String room, String region, Duration ttl) {
        Request set = Request.cmd(Command.SET).arg(RouterKeys.roomRegion(room)).arg(region).arg("NX").arg("GET")
                .arg("PX").arg(ttl.toMillis());
        return bound.on("SET NX of the room's claim", Uni.createFrom().completionStage(() -> pipelined.send(set)
                .toCompletionStage())).map(previous -> previous == null ? null : previous.toString());
    }

    /** Gives up a claim of {@code region} for {@code room}, unless it is another region's by now. */
    public Uni<Boolean> releaseClaim(String room, String region) {
        return compareAndDelete(RouterKeys.roomRegion(room), region);
    }

    /** Removes the room's pin to {@code node} in {@code region}, unless it was re-pinned elsewhere since. */
    public Uni<Boolean> unpin(String region, String room, String node) {
        return compareAndDelete(RouterKeys.pin(region, room), node);
    }

    private Uni<Boolean> compareAndDelete(String key, String expected) {
        return bound.on("compare_and_delete.lua", COMPARE_AND_DELETE.run(redis, List.of(key), List.of(expected)))
                .map(deleted -> deleted.toInteger() == 1);
    }
}
