package io.lkfleet.capacity;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One region's totals; limits and headroom count only nodes that are serving. */
@RegisterForReflection
public record RegionView(String name, long rooms, long participants, long subscriptions, long egressKbps,
        int nodesServing, int nodesGone, long limitSubscriptions, double headroomRatio) {
}
