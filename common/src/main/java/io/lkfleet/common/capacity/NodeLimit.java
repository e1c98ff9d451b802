package io.lkfleet.common.capacity;

/**
 * How much load lkfleet admits onto one node: its class's measured capacity minus the headroom.
 * Admission asks {@link #admits}: current load (model + reservations) plus the join's delta must
 * stay within both limits.
 */
public record NodeLimit(long maxSubscriptions, long maxEgressKbps) {

    /** The limit of a node of measured capacity {@code maxSubscriptions}/{@code egressMbps} keeping {@code headroom} free. */
    public static NodeLimit of(int maxSubscriptions, int egressMbps, double headroom) {
        if (headroom < 0 || headroom >= 1) {
            throw new IllegalArgumentException("headroom must be in [0, 1), got " + headroom);
        }
        double usable = 1.0 - headroom;
        return new NodeLimit((long) Math.floor(maxSubscriptions * usable + 1e-9),
                (long) Math.floor(egressMbps * 1000L * usable + 1e-9));
    }

    /** True when a whole room of this cost fits on one otherwise empty node: else no node of this size can hold it. */
    public boolean fits(RoomCost room) {
        return admits(0, 0, room);
    }

    /** True when a node carrying {@code subscriptions}/{@code egressKbps} can take {@code delta} as well. */
    public boolean admits(long subscriptions, long egressKbps, RoomCost delta) {
        return subscriptions + delta.subscriptions() <= maxSubscriptions
                && egressKbps + delta.egressKbps() <= maxEgressKbps;
    }

    /** Share of this limit still free for the load given (1 = empty, 0 = at the limit, negative = over it). */
    public double headroomRatio(long subscriptions, long egressKbps) {
        double bySubscriptions = maxSubscriptions == 0 ? 0 : 1.0 - (double) subscriptions / maxSubscriptions;
        double byEgress = maxEgressKbps == 0 ? 0 : 1.0 - (double) egressKbps / maxEgressKbps;
        return Math.min(bySubscriptions, byEgress);
    }
}
