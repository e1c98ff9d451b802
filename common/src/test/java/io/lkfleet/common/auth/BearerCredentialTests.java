package io.lkfleet.common.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerCredentialTests {
    private static final String TOKEN = "a-random-admin-token-0123456789";

    @Test
    void admitsOnlyTheConfiguredBearerToken() {
        BearerCredential admin = BearerCredential.of("router.admin-token", "admin token", Optional.of(TOKEN));
        assertTrue(admin.admits("Bearer " + TOKEN));
        assertTrue(admin.admits("bearer " + TOKEN), "the scheme is case-insensitive (RFC 9110)");
        assertFalse(admin.admits(TOKEN), "no scheme");
        assertFalse(admin.admits("Basic " + TOKEN));
        assertFalse(admin.admits("Bearer " + TOKEN + "x"));
        assertFalse(admin.admits("Bearer " + TOKEN.substring(1)));
        assertFalse(admin.admits("Bearer  " + TOKEN), "no extra whitespace");
        assertFalse(admin.admits("Bearer "));
        assertFalse(admin.admits(""));
        assertFalse(admin.admits(null));
    }

    @Test
    void unconfiguredCredentialAdmitsNobody() {
        BearerCredential none = BearerCredential.of("capacity.admin-token", "admin token", Optional.empty());
        assertFalse(none.admits("Bearer "));
        assertFalse(none.admits("Bearer null"));
        BearerCredential blank = BearerCredential.of("capacity.admin-token", "admin token", Optional.of("  "));
        assertFalse(blank.admits("Bearer   "));
    }

    @Test
    void outsideDevAndTestAServiceWithoutItsCredentialDoesNotStart() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> BearerCredential.requireConfigured(List.of("prod"), "router.admin-token", Optional.empty()));
        assertTrue(missing.getMessage().contains("router.admin-token") && missing.getMessage().contains("ROUTER_ADMIN_TOKEN"),
                missing.getMessage());
        IllegalStateException tooShort = assertThrows(IllegalStateException.class,
                () -> BearerCredential.requireConfigured(List.of("prod"), "router.admin-token", Optional.of("xyzzy")));
        assertFalse(tooShort.getMessage().contains("xyzzy"), "the message never holds the token");
        assertDoesNotThrow(() -> BearerCredential.requireConfigured(List.of("prod"), "router.admin-token", Optional.of(TOKEN)));
        assertDoesNotThrow(() -> BearerCredential.requireConfigured(List.of("dev"), "router.admin-token", Optional.empty()));
        assertDoesNotThrow(() -> BearerCredential.requireConfigured(List.of("test"), "router.admin-token", Optional.empty()));
    }

    @Test
    void envVarIsMicroProfileConfigsFormOfTheKey() {
        assertEquals("TOKENS_ROUTER_TOKEN", BearerCredential.envVar("tokens.router-token"));
    }
}
