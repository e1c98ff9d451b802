package io.lkfleet.token.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules a tenants file must keep as a whole, each refusal naming the tenants at fault. */
class TenantsFileTests {

    @Test
    void overlappingNamespacesAreRefusedNamingBothTenants() {
        String refusal = refused("""
                tenants:
                  acme: {namespace: acme-, grants: [publish]}
                  globex: {namespace: globex-, grants: [publish]}
                  acme-corp: {namespace: acme-corp-, grants: [publish]}
                """);
        assertTrue(refusal.contains("acme") && refusal.contains("acme-corp") && refusal.contains("overlap"), refusal);
    }

    @Test
    void equalNamespacesAreRefused() {
        String refusal = refused("""
                tenants:
                  one: {namespace: shared-, grants: [publish]}
                  two: {namespace: shared-, grants: [publish]}
                """);
        assertTrue(refusal.contains("one") && refusal.contains("two"), refusal);
    }

    @Test
    void anEmptyNamespaceIsRefused() {
        assertTrue(refused("tenants:\n  open: {namespace: '', grants: [publish]}\n").contains("open"));
    }

    @Test
    void privilegedDefaultGrantsAreRefused() {
        String refusal = refused("""
                tenants:
                  acme: {namespace: acme-, grants: [publish, hidden], default-grants: [publish, hidden]}
                """);
        assertTrue(refusal.contains("acme") && refusal.contains("default-grants"), refusal);
    }

    @Test
    void withoutDefaultGrantsTheDefaultsAreTheUnprivilegedGrants() throws IOException {
        Tenant acme = parse("""
                tenants:
                  acme: {namespace: acme-, grants: [publish, subscribe, hidden, recorder, room-admin]}
                """).get("acme");
        assertEquals(Set.of(Grant.PUBLISH, Grant.SUBSCRIBE), acme.defaultGrants());
    }

    @Test
    void claimableGrantsMustBeTheTenantsAndComeWithTheirClaim() {
        assertTrue(refused("""
                tenants:
                  acme: {namespace: acme-, grants: [publish], user-jwt-secret-key: s,
                         user-jwt-grants-claim: g, user-jwt-claimable-grants: [hidden]}
                """).contains("subset"));
        assertTrue(refused("""
                tenants:
                  acme: {namespace: acme-, grants: [publish, hidden], user-jwt-secret-key: s,
                         user-jwt-claimable-grants: [hidden]}
                """).contains("go together"));
        assertTrue(refused("""
                tenants:
                  acme: {namespace: acme-, grants: [publish], user-jwt-room-claim: room}
                """).contains("user-jwt-room-claim"));
    }

    @Test
    void aUserJwtPolicyKeepsItsRoomAndGrantsClaims() throws IOException {
        UserJwtPolicy policy = parse("""
                tenants:
                  acme: {namespace: acme-, grants: [publish, recorder], user-jwt-secret-key: s,
                         user-jwt-room-claim: room, user-jwt-grants-claim: g, user-jwt-claimable-grants: [recorder]}
                """).get("acme").userJwt().orElseThrow();
        assertEquals(Optional.of("room"), policy.roomClaim());
        assertEquals(Optional.of("g"), policy.grantsClaim());
        assertEquals(Set.of(Grant.RECORDER), policy.claimableGrants());
    }

    private static String refused(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> parse(yaml)).getMessage();
    }

    private static Map<String, Tenant> parse(String yaml) throws IOException {
        JsonNode root = new YAMLMapper().readTree(yaml);
        return TenantsFile.parse(root, name -> Optional.of("test-only-secret-0123456789abcdef0123"));
    }
}
