package io.lkfleet.common.capacity;

/**
 * What a room (or a change to one) costs the node it is pinned to: forwarded tracks (subscriptions)
 * by kind, the egress it sends and the ingress its publishers send, in kbit/s.
 */
public record RoomCost(long videoSubscriptions, long audioSubscriptions, long screenShareSubscriptions,
        long egressKbps, long ingressKbps) {

    public static final RoomCost ZERO = new RoomCost(0, 0, 0, 0, 0);

    /** All forwarded tracks; comparable with LiveKit's {@code NodeStats.num_tracks_out}. */
    public long subscriptions() {
        return videoSubscriptions + audioSubscriptions + screenShareSubscriptions;
    }

    public RoomCost minus(RoomCost other) {
        return new RoomCost(videoSubscriptions - other.videoSubscriptions, audioSubscriptions - other.audioSubscriptions,
                screenShareSubscriptions - other.screenShareSubscriptions, egressKbps - other.egressKbps,
                ingressKbps - other.ingressKbps);
    }
}
