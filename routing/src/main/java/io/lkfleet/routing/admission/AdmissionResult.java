package io.lkfleet.routing.admission;

/**
 * What the admission script decided for one join on one node.
 *
 * @param nodeSubscriptions node load in subscriptions after the join (or at refusal)
 * @param nodeEgressKbps node egress after the join (or at refusal)
 * @param roomSubscriptions the whole room's cost after the join
 * @param roomParticipants participants of the room after the join, reservations included
 * @param pinnedNode for {@link Outcome#PINNED_ELSEWHERE}: the node the room is pinned to
 * @param reservationId for {@link Outcome#ADMITTED}: the join's reservation (the identity's earlier one when
 *        its seat in the room was refreshed)
 */
public record AdmissionResult(Outcome outcome, long nodeSubscriptions, long nodeEgressKbps, long roomSubscriptions,
        int roomParticipants, String pinnedNode, String reservationId) {

    public enum Outcome {
        ADMITTED, NODE_FULL, ROOM_EXCEEDS_NODE, PINNED_ELSEWHERE,
        /** Only from {@link Admission#admitPinned}: the room has no pin any more, nothing was reserved. */
        NOT_PINNED,
        /** capacity-service has not (yet) marked the region's model whole: nothing was reserved. */
        MODEL_NOT_READY,
        /** The tenant holds its allowance of live reservations in the region: nothing was reserved. */
        RESERVATION_LIMIT
    }
}
