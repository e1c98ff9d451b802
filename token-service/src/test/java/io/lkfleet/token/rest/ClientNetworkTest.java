package io.lkfleet.token.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ClientNetworkTest {
    @Test
    void keepsOnlyTheNetworkOfTheFirstForwardedHop() {
        assertEquals("203.0.113.0/24", ClientNetwork.of("203.0.113.77, 10.0.0.1", "127.0.0.1"));
        assertEquals("127.0.0.0/24", ClientNetwork.of(null, "127.0.0.1"));
        assertEquals("2001:db8:1:0:0:0:0:0/48", ClientNetwork.of("2001:db8:1:2::5", "127.0.0.1"));
    }

    @Test
    void neverResolvesNamesOrAcceptsGarbage() {
        assertNull(ClientNetwork.of("dead", "also-not-an-ip"));
        assertNull(ClientNetwork.of("example.org", null));
    }
}
