package io.lkfleet.common.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminStateTests {

    @Test
    void aDecisionReadsBackFromItsRecord() {
        AdminState drain = new AdminState.Drain("eu-west", "ND_a");
        AdminState booking = new AdminState.Booking("eu-west", "webinar|{2}:x", "ND_b", 800, 1_900_000_000_000L);
        assertEquals(Optional.of(drain), AdminState.parse(drain.key(), drain.value()));
        assertEquals(Optional.of(booking), AdminState.parse(booking.key(), booking.value()));
        assertEquals("eu-west", AdminState.regionOf(booking.key()));
    }

    @Test
    void aTombstoneWithdrawsTheDecisionUnderItsKey() {
        String key = AdminState.Booking.key("eu-west", "webinar");
        assertEquals(new AdminState.Booking("eu-west", "webinar", "ND_b", 2, 1L).key(), key);
        assertTrue(AdminState.parse(key, null).isEmpty());
        assertEquals("eu-west", AdminState.regionOf(key));
    }

    @Test
    void theBookingEntryIsWhatRegionRouterKeepsPerNode() {
        assertEquals("webinar|800|1900000000000",
                new AdminState.Booking("eu-west", "webinar", "ND_b", 800, 1_900_000_000_000L).scheduledEntry());
    }

    @Test
    void aForeignRecordIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AdminState.parse("pin|eu-west|r", "x"));
        assertThrows(IllegalArgumentException.class, () -> AdminState.parse("booking|eu-west|r", "ND_b|many|1"));
    }
}
