package io.lkfleet.capacity.service;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * When a room is idle, for the guards and the reaper: by the model nobody has been in it for the
 * whole grace, measured from when it last became empty ({@code empty_since}, written by
 * apply_event.lua), not from its session's start, so a room that empties for a moment is not idle;
 * and no join is reserved for it (its first participants may be on their way). The reaper also has
 * LiveKit confirm before it deletes (see {@link Reaper}).
 */
final class IdleRoom {
    private IdleRoom() {
    }

    /**
     * @param room the room's hash (see {@link io.lkfleet.common.contract.RedisKeys#room})
     * @param reserved whether a live reservation of region-router's holds a seat in it (asked last: a read)
     */
    static boolean idle(Map<String, String> room, long nowEpochSeconds, long graceSeconds, BooleanSupplier reserved) {
        if (number(room, "participants") > 0 || "1".equals(room.get("finished"))) {
            return false;
        }
        // rooms written before empty_since existed: their session's start is all there is
        long emptySince = room.containsKey("empty_since") ? number(room, "empty_since") : number(room, "since");
        return nowEpochSeconds - emptySince >= graceSeconds && !reserved.getAsBoolean();
    }

    private static long number(Map<String, String> hash, String field) {
        String v = hash.get(field);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }
}
