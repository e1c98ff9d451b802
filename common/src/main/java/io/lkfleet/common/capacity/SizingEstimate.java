package io.lkfleet.common.capacity;

/**
 * The answer to a {@link SizingRequest}: expected rooms and forwarded tracks, egress, and how many
 * nodes of the class carry it under the headroom rule. {@code largestRoomFits} is false when the
 * biggest room alone exceeds one node's limit: nodes spread rooms, never one room.
 */
public record SizingEstimate(double rooms, double videoSubscriptions, double audioSubscriptions, double subscriptions,
        double egressGbps, NodeLimit nodeLimit, int nodesForSubscriptions, int nodesForEgress, int nodes,
        RoomCost largestRoom, boolean largestRoomFits) {
}
