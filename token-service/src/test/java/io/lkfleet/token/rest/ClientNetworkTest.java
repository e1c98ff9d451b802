package io.lkfleet.token.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientNetworkTest {
    @Test
    void keepsOnlyTheNetworkOfTheAddress() {
        assertEquals("203.0.113.0/24", ClientNetwork.of("203.0.113.77"));
        assertEquals("127.0.0.0/24", ClientNetwork.of("127.0.0.1"));
        assertEquals("2001:db8:1:0:0:0:0:0/48", ClientNetwork.of("2001:db8:1:2::5"));
    }

    @Test
    void neverResolvesNamesOrAcceptsGarbage() {
        assertNull(ClientNetwork.of("dead"));
        assertNull(ClientNetwork.of("example.org"));
        assertNull(ClientNetwork.of("_hidden"));
        assertNull(ClientNetwork.of(null));
    }

    @Test
    void forwardingWithoutTrustedProxiesOrWithTheForwardedHeaderRefusesToStart() {
        assertThrows(IllegalStateException.class, () -> TrustedProxies.check(true, false, Optional.empty()));
        assertThrows(IllegalStateException.class, () -> TrustedProxies.check(true, false, Optional.of(List.of())));
        assertThrows(IllegalStateException.class,
                () -> TrustedProxies.check(true, true, Optional.of(List.of("10.1.0.0/16"))));
        TrustedProxies.check(true, false, Optional.of(List.of("10.1.0.0/16")));
        TrustedProxies.check(false, false, Optional.empty());
    }
}
