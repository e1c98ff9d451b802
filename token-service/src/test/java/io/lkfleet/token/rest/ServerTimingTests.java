package io.lkfleet.token.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServerTimingTests {
    @Test
    void givesMillisecondsToTheMicrosecond() {
        assertEquals("route;dur=1.234;desc=\"new-room\", total;dur=52.000",
                ServerTiming.of(1_234_567, true, 52_000_001));
        assertEquals("route;dur=0.007;desc=\"pinned\", total;dur=0.090", ServerTiming.of(7_999, false, 90_000));
        assertEquals("route;dur=0.000;desc=\"pinned\", total;dur=1000.100", ServerTiming.of(-5, false, 1_000_100_000));
    }
}
