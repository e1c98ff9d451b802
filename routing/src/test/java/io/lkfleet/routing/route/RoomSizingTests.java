package io.lkfleet.routing.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomShape;
import org.junit.jupiter.api.Test;

class RoomSizingTests {
    private final CapacityModel model = new PlannerFixture().model;

    @Test
    void maxParticipantsIsTheLargestRoomThatFitsOneNode() {
        NodeLimit limit = new NodeLimit(100, 10_000_000);
        int most = RoomSizing.maxParticipants(model, limit, null);
        assertTrue(limit.fits(model.cost(RoomShape.meeting(most))));
        assertTrue(!limit.fits(model.cost(RoomShape.meeting(most + 1))));
        assertEquals(1, RoomSizing.maxParticipants(model, new NodeLimit(0, 0), null), "at least the first join");
    }

    @Test
    void fewPublishersLetManyMoreWatch() {
        assertEquals(51, RoomSizing.maxParticipants(model, new NodeLimit(100, 10_000_000), 1));
    }

    @Test
    void undeclaredRoomsExpectTheDefaultSizeAllPublishing() {
        assertEquals(new RoomShape(2, 2, 0), RoomSizing.expected(null, null, 2));
        assertEquals(new RoomShape(30, 3, 0), RoomSizing.expected(30, 3, 2));
        assertEquals(new RoomShape(3, 3, 0), RoomSizing.expected(3, 10, 2), "publishers capped at participants");
    }
}
