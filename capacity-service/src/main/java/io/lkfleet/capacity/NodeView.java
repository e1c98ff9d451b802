package io.lkfleet.capacity;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One SFU node: the model's load beside LiveKit's measured load, and its admission limit.
 *
 * @param state {@code SERVING}, {@code SHUTTING_DOWN} (LiveKit draining) or {@code GONE} (stopped reporting)
 * @param deviation model subscriptions minus LiveKit's {@code num_tracks_out}
 */
@RegisterForReflection
public record NodeView(String id, String region, String state, long rooms, long participants, long subscriptions,
        long egressKbps, Measured measured, long limitSubscriptions, long limitEgressKbps, double headroomRatio,
        long deviation) {

    /** What LiveKit reports for the node in its {@code nodes} registry. */
    @RegisterForReflection
    public record Measured(long numRooms, long numClients, long numTracksIn, long numTracksOut, double cpuLoad,
            long updatedAt) {
    }
}
