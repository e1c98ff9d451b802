package io.lkfleet.routing.admission;

import io.lkfleet.common.redis.LuaScript;
import io.lkfleet.routing.RedisBound;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
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

    /** A room's claim and, when there is one, its pin in the claimed region. */
    public record Where(String region, String node) {
    }

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final RedisBound bound;

    /** Every call is bounded ({@link RedisBound}), as on the whole route path. */
    public RoomPins(ReactiveRedisDataSource redis, RedisBound bound) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.bound = bound;
    }

    /**
     * The room's claimed region and its pin there; null when the room has no claim or its region is
     * not among {@code regions}. The claim and the pins in {@code regions} are read at once, in one
     * round trip rather than the claim and then its pin (a join may only go to those regions anyway).
     */
    public Uni<Where> where(String room, List<String> regions) {
        List<Uni<String>> reads = new ArrayList<>(regions.size() + 1);
        reads.add(values.get(RouterKeys.roomRegion(room)));
        regions.forEach(region -> reads.add(values.get(RouterKeys.pin(region, room))));
        return bound.on("GET of the room's claim and pins", Uni.combine().all().unis(reads).with(String.class, answers -> {
            int claimed = answers.get(0) == null ? -1 : regions.indexOf(answers.get(0));
            return claimed < 0 ? null : new Where(regions.get(claimed), answers.get(claimed + 1));
        }));
    }

    /** Claims {@code region} for a new room; false when the room was already claimed (for any region). */
    public Uni<Boolean> claim(String room, String region, Duration ttl) {
        return bound.on("SET NX of the room's claim", values.setGet(RouterKeys.roomRegion(room), region,
                new SetArgs().nx().px(ttl))).map(previous -> previous == null);
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
