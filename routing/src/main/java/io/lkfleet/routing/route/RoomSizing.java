package io.lkfleet.routing.route;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;

/** Sizes of a room on one node: what it is expected to reach, and the most that can fit. */
final class RoomSizing {
    /** Beyond any node class lkfleet sizes: the search's upper bound. */
    private static final int MOST_PARTICIPANTS = 100_000;

    private RoomSizing() {
    }

    /**
     * The declared shape of a new room; an undeclared room is expected to reach
     * {@code defaultParticipants}, all publishing.
     */
    static RoomShape expected(Integer participants, Integer publishers, int defaultParticipants) {
        int n = participants == null ? defaultParticipants : participants;
        return new RoomShape(n, publishers == null ? n : Math.min(publishers, n), 0);
    }

    /**
     * The most participants a room whose publishers are capped at {@code publishers} (null: everyone
     * publishes) can have on one node under {@code limit}; at least 1. Cost grows with size, so a
     * bisection finds it.
     */
    static int maxParticipants(CapacityModel model, NodeLimit limit, Integer publishers) {
        int low = 1;
        int high = MOST_PARTICIPANTS;
        while (low < high) {
            int mid = (low + high + 1) / 2;
            RoomCost cost = model.cost(new RoomShape(mid, publishers == null ? mid : Math.min(publishers, mid), 0));
            if (limit.fits(cost)) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** What a new room's expected shape needs beyond its first join (the node must have that free too). */
    static RoomCost toGrow(CapacityModel model, RoomShape expected, boolean firstPublishes) {
        RoomShape first = firstPublishes ? new RoomShape(1, 1, 0) : new RoomShape(1, 0, 0);
        return model.cost(expected).minus(model.cost(first));
    }
}
