package io.lkfleet.capacity.store;

import io.lkfleet.common.contract.AdminState;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.redis.LuaScript;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes region-router's drains and bookings (its {@code draining} set and {@code scheduled} hash)
 * back, in one script. It only adds what Redis lacks: a decision the router made since the topic
 * was read is newer than the topic's, so it is kept.
 */
@ApplicationScoped
public class AdminStateStore {
    private static final LuaScript RESTORE = LuaScript.load(AdminStateStore.class, "restore_admin_state.lua");

    private final RedisDataSource redis;

    public AdminStateStore(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Adds the decisions Redis lacks; returns how many. */
    public long restore(String region, List<AdminState.Drain> drains, List<AdminState.Booking> bookings) {
        if (drains.isEmpty() && bookings.isEmpty()) {
            return 0;
        }
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(drains.size()));
        drains.forEach(d -> args.add(d.nodeId()));
        bookings.forEach(b -> {
            args.add(b.nodeId());
            args.add(b.scheduledEntry());
        });
        return RESTORE.run(redis, List.of(RedisKeys.region(region) + RedisKeys.DRAINING,
                RedisKeys.region(region) + RedisKeys.SCHEDULED), args).toLong();
    }
}
