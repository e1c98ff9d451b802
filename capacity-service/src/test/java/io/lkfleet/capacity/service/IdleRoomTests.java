package io.lkfleet.capacity.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IdleRoomTests {
    private static final long NOW = 1_790_000_000L;
    private static final long GRACE = 600;

    @Test
    void aRoomEmptyForTheWholeGraceIsIdle() {
        assertTrue(IdleRoom.idle(room(0, NOW - 7200, NOW - GRACE), NOW, GRACE, () -> false));
    }

    @Test
    void aLongRunningRoomThatEmptiedAMomentAgoIsNotIdle() {
        // the session began two hours ago; the old rule looked only at that
        assertFalse(IdleRoom.idle(room(0, NOW - 7200, NOW - 5), NOW, GRACE, () -> false));
    }

    @Test
    void aRoomWithAParticipantIsNeverIdle() {
        assertFalse(IdleRoom.idle(Map.of("participants", "1", "since", Long.toString(NOW - 7200)), NOW, GRACE,
                () -> false));
    }

    @Test
    void aRoomWithOnlyReservationsIsNotIdle() {
        assertFalse(IdleRoom.idle(room(0, NOW - 7200, NOW - 7200), NOW, GRACE, () -> true));
    }

    @Test
    void theReservationsAreReadOnlyForARoomOtherwiseIdle() {
        assertFalse(IdleRoom.idle(room(0, NOW - 7200, NOW - 5), NOW, GRACE, () -> {
            throw new AssertionError("read for a room that was not idle anyway");
        }));
    }

    @Test
    void aFinishedRoomIsNotIdle() {
        Map<String, String> finished = Map.of("participants", "0", "since", Long.toString(NOW - 7200), "finished", "1");
        assertFalse(IdleRoom.idle(finished, NOW, GRACE, () -> false));
    }

    @Test
    void aRoomWrittenBeforeEmptySinceExistedCountsFromItsSessionStart() {
        Map<String, String> legacy = Map.of("participants", "0", "since", Long.toString(NOW - GRACE - 1));
        assertTrue(IdleRoom.idle(legacy, NOW, GRACE, () -> false));
    }

    private static Map<String, String> room(long participants, long since, long emptySince) {
        return Map.of("participants", Long.toString(participants), "since", Long.toString(since), "empty_since",
                Long.toString(emptySince));
    }
}
