package io.lkfleet.capacity;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The whole fleet at one moment, as the fleet console shows it: regions → nodes → rooms, each node's
 * model load beside LiveKit's measurement and its limit, plus what region-router decided about it
 * (reservations not yet in the model, a drain, a booking for a scheduled big room).
 */
@RegisterForReflection
public record FleetView(long at, List<Region> regions) {

    @RegisterForReflection
    public record Region(RegionView totals, GuardReport guards, List<Node> nodes) {
    }

    /** {@code booking} is null when the node is not booked. */
    @RegisterForReflection
    public record Node(NodeView load, long reservedSubscriptions, boolean draining, Booking booking, List<Room> rooms) {
    }

    @RegisterForReflection
    public record Booking(String room, long participants, long untilEpochMillis) {
    }

    @RegisterForReflection
    public record Room(String name, long participants, long publishers, long subscriptions) {
    }
}
