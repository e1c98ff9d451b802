package io.lkfleet.capacity;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One room's shape and cost by the model, beside what LiveKit measures on the room's node
 * (LiveKit reports forwarded tracks per node, not per room).
 */
@RegisterForReflection
public record RoomView(String region, String room, String sid, String node, boolean lost, long participants,
        long publishers, long subscribers, Kinds tracks, Kinds subscriptions, long totalSubscriptions,
        long egressKbps, long activeEgress, NodeSide nodeLoad) {

    @RegisterForReflection
    public record Kinds(long video, long audio, long screenShare) {
    }

    /** The room's node: model subscriptions of all its rooms vs LiveKit's {@code num_tracks_out}. */
    @RegisterForReflection
    public record NodeSide(String state, long modelSubscriptions, long measuredTracksOut) {
    }
}
