package io.lkfleet.routing.admission;

import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import java.time.Duration;

/**
 * One join to admit on one node: {@code publisher} or not, of {@code room} on {@code nodeId} under
 * {@code limit}. For the first join of a new room, {@code roomToGrow} is what its expected size needs
 * beyond this join: the node must have that free too. {@code pinnedOnly}: admit only if the room is
 * already pinned to {@code nodeId} (the fast path), else answer NOT_PINNED and reserve nothing.
 * {@code tenant} holds at most {@code maxTenantReservations} live reservations in the region; an
 * identity that already holds a seat in the room has it refreshed instead.
 */
public record AdmissionRequest(String region, String nodeId, String room, String identity, boolean publisher,
        String reservationId, NodeLimit limit, Duration reservationTtl, Duration pinTtl, RoomCost roomToGrow,
        boolean pinnedOnly, String tenant, int maxTenantReservations) {
}
