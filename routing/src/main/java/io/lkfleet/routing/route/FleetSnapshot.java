package io.lkfleet.routing.route;

import io.lkfleet.common.registry.RegisteredNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the {@link RoutePlanner} decides one join from, read at one moment by the
 * {@link SnapshotReader}: where the room lives, and each region's nodes with their liveness, load,
 * drains and bookings. A hint, not a lock: the admission script re-checks load and pin atomically.
 *
 * @param nowMillis when it was read (liveness and bookings are judged at this time)
 * @param claimedRegion the region the router claimed the room for, null when none
 * @param regions by region name
 */
public record FleetSnapshot(long nowMillis, String claimedRegion, Map<String, Region> regions) {

    /** One region as read. Node loads, drains and bookings only for regions the join may use. */
    public record Region(List<RegisteredNode> nodes, Set<String> draining, Map<String, Booking> bookings,
            Map<String, Load> loads, String pin, String liveKitNode) {

        /** A region known to the fleet but not read (e.g. not allowed for this join). */
        public static final Region UNREAD = new Region(List.of(), Set.of(), Map.of(), Map.of(), null, null);

        public Load load(String nodeId) {
            return loads.getOrDefault(nodeId, Load.NONE);
        }
    }

    /** A node's load in the model plus live reservations (expired reservations still count until purged). */
    public record Load(long subscriptions, long egressKbps) {
        public static final Load NONE = new Load(0, 0);
    }

    /**
     * A node booked for a scheduled big room until {@code untilMillis}; stored as
     * {@code room|participants|until-epoch-ms} in the region's {@code scheduled} hash.
     */
    public record Booking(String room, int participants, long untilMillis) {
        public static Booking parse(String value) {
            int last = value.lastIndexOf('|');
            int middle = value.lastIndexOf('|', last - 1); // from the end: a room name may hold '|'
            return new Booking(value.substring(0, middle), Integer.parseInt(value.substring(middle + 1, last)),
                    Long.parseLong(value.substring(last + 1)));
        }

        public String value() {
            return room + "|" + participants + "|" + untilMillis;
        }

        public boolean activeAt(long nowMillis) {
            return untilMillis > nowMillis;
        }
    }

    public Region region(String name) {
        return regions.getOrDefault(name, Region.UNREAD);
    }
}
