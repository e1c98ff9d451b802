package io.lkfleet.token.tenant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * User JWTs signed by a tenant's identity provider (RS256/ES256, keys from its JWKS over HTTP).
 * lkfleet's Redis is unreachable here (routing fails closed), so a request that got past
 * authentication ends in 503 state-unavailable: that is how these tests see "authenticated".
 */
@QuarkusTest
@WithTestResource(IdentityProviderResource.class)
class UserJwtJwksTest {
    private static final String PASSED_AUTH = "state-unavailable";

    IdentityProvider idp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerKeys")
    void tokenSignedWithAPublishedKeyAuthenticatesItsSubjectOnly(String kid) {
        String jwt = idp.jwt(kid, "peter", Instant.now().plusSeconds(600));
        post(jwt, "peter").statusCode(503).body("type", equalTo(problem(PASSED_AUTH)));
        post(jwt, "milton").statusCode(403).body("type", equalTo(problem("identity-mismatch")));
    }

    static Stream<String> providerKeys() {
        return Stream.of("rsa-1", "ec-1");
    }

    static Stream<Arguments> forgeries() {
        Date future = Date.from(Instant.now().plusSeconds(600));
        KeyPair stranger = IdentityProvider.rsa();
        return Stream.of(
                Arguments.of("unpublished key under a published kid", (Forgery) idp -> JWT.create().withKeyId("rsa-1")
                        .withIssuer(IdentityProvider.ISSUER).withSubject("peter").withAudience("lkfleet")
                        .withExpiresAt(future).sign(IdentityProvider.algorithm(stranger))),
                Arguments.of("alg none", (Forgery) idp -> JWT.create().withKeyId("rsa-1").withIssuer(IdentityProvider.ISSUER)
                        .withSubject("peter").withAudience("lkfleet").withExpiresAt(future).sign(Algorithm.none())),
                Arguments.of("HS256 keyed with the provider's public key", (Forgery) idp -> JWT.create().withKeyId("rsa-1")
                        .withIssuer(IdentityProvider.ISSUER).withSubject("peter").withAudience("lkfleet")
                        .withExpiresAt(future).sign(Algorithm.HMAC256(idp.key("rsa-1").getPublic().getEncoded()))),
                Arguments.of("RS256 naming the EC key", (Forgery) idp -> JWT.create().withKeyId("ec-1")
                        .withIssuer(IdentityProvider.ISSUER).withSubject("peter").withAudience("lkfleet")
                        .withExpiresAt(future).sign(Algorithm.RSA256((RSAPublicKey) stranger.getPublic(),
                                (RSAPrivateKey) stranger.getPrivate()))),
                Arguments.of("expired", (Forgery) idp -> idp.jwt("rsa-1", "peter", Instant.now().minusSeconds(3600))),
                Arguments.of("other audience", (Forgery) idp -> JWT.create().withKeyId("rsa-1")
                        .withIssuer(IdentityProvider.ISSUER).withSubject("peter").withAudience("someone-else")
                        .withExpiresAt(future).sign(IdentityProvider.algorithm(idp.key("rsa-1")))),
                Arguments.of("no kid while the set has two keys", (Forgery) idp -> JWT.create()
                        .withIssuer(IdentityProvider.ISSUER).withSubject("peter").withAudience("lkfleet")
                        .withExpiresAt(future).sign(IdentityProvider.algorithm(idp.key("rsa-1")))),
                Arguments.of("unknown issuer", (Forgery) idp -> JWT.create().withKeyId("rsa-1")
                        .withIssuer("https://evil.test/").withSubject("peter").withAudience("lkfleet")
                        .withExpiresAt(future).sign(IdentityProvider.algorithm(idp.key("rsa-1")))));
    }

    interface Forgery {
        String jwt(IdentityProvider idp);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void forgedOrInvalidTokensGet401AndNoToken(String why, Forgery forgery) {
        post(forgery.jwt(idp), "peter").statusCode(401).body("type", equalTo(problem("unauthenticated")));
    }

    @Test
    void aRotatedInKeyIsFetchedWhenATokenFirstNamesIt() {
        idp.publish("rsa-2", IdentityProvider.rsa());
        String jwt = idp.jwt("rsa-2", "peter", Instant.now().plusSeconds(600));
        // within one min-refetch-interval (1 s) of the last fetch the new kid may still be unknown
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> post(jwt, "peter").extract().statusCode() == 503);
        post(jwt, "peter").body("type", equalTo(problem(PASSED_AUTH)));
    }

    @Test
    void madeUpKeyIdsDoNotMakeTokenServiceHammerTheProvider() {
        int before = idp.fetches();
        long started = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            String jwt = JWT.create().withKeyId(UUID.randomUUID().toString()).withIssuer(IdentityProvider.ISSUER)
                    .withSubject("peter").withAudience("lkfleet").withExpiresAt(Date.from(Instant.now().plusSeconds(600)))
                    .sign(IdentityProvider.algorithm(idp.key("rsa-1")));
            post(jwt, "peter").statusCode(401);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int fetched = idp.fetches() - before;
        // at most one fetch per min-refetch-interval (1 s), plus the one that may be due at the start
        assertTrue(fetched <= 2 + (int) seconds, fetched + " key-set fetches for 30 unknown kids in " + seconds + " s");
    }

    @Test
    void keysAlreadyFetchedStayInUseWhileTheProviderFails() {
        String jwt = idp.jwt("ec-1", "peter", Instant.now().plusSeconds(600));
        post(jwt, "peter").statusCode(503).body("type", equalTo(problem(PASSED_AUTH)));
        idp.status(500);
        try {
            int before = idp.fetches();
            String unknownKid = JWT.create().withKeyId("not-there").withIssuer(IdentityProvider.ISSUER).withSubject("peter")
                    .withAudience("lkfleet").withExpiresAt(Date.from(Instant.now().plusSeconds(600)))
                    .sign(IdentityProvider.algorithm(idp.key("rsa-1")));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                post(unknownKid, "peter").statusCode(401);
                return idp.fetches() > before;
            });
            post(jwt, "peter").statusCode(503).body("type", equalTo(problem(PASSED_AUTH)));
        } finally {
            idp.status(200);
        }
    }

    @Test
    void anUnreachableProviderMeans503WithRetryAfterNotATokenOrA401() {
        KeyPair key = IdentityProvider.rsa();
        String jwt = JWT.create().withKeyId("k").withIssuer(IdentityProviderResource.UNREACHABLE_ISSUER)
                .withSubject("gavin").withExpiresAt(Date.from(Instant.now().plusSeconds(600)))
                .sign(IdentityProvider.algorithm(key));
        given().contentType("application/json").header("Authorization", "Bearer " + jwt)
                .body("{\"room_name\":\"hooli-room\",\"participant_identity\":\"gavin\"}")
                .when().post("/v1/token").then()
                .statusCode(503)
                .header("Retry-After", notNullValue())
                .body("type", equalTo(problem("user-jwt-keys-unavailable")))
                .body("participant_token", equalTo(null));
    }

    private static ValidatableResponse post(String jwt, String identity) {
        return given().contentType("application/json").header("Authorization", "Bearer " + jwt)
                .body("{\"room_name\":\"initech-room\",\"participant_identity\":\"" + identity + "\"}")
                .when().post("/v1/token").then()
                .contentType("application/problem+json")
                .body("participant_token", equalTo(null));
    }

    private static String problem(String reason) {
        return "https://lkfleet.io/problems/" + reason;
    }
}
