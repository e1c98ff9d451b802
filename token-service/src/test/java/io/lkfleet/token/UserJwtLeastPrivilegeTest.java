package io.lkfleet.token;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user JWT gets the tenant's default grants for the rooms its issuer named, never more; the same
 * asks from the tenant's backend pass. lkfleet's Redis is unreachable here (routing fails closed): a
 * request that passed every check of token-service ends in 503 state-unavailable, which is how these
 * tests see "allowed".
 */
@QuarkusTest
@WithTestResource(TenantsFileResource.class)
class UserJwtLeastPrivilegeTest {
    static final String BACKEND = "Bearer umbrella-backend-key";
    static final String SECRET = "test-only-umbrella-user-jwt-secret-0123456789";
    static final String ALLOWED = "state-unavailable";

    @Test
    void aUserJwtCannotGetHiddenWhileTheBackendCan() {
        String jwt = user("alice", "umbrella-board", null);
        post(jwt, "umbrella-board", "[\"subscribe\",\"hidden\"]").statusCode(403)
                .body("type", equalTo(problem("forbidden-grant")));
        post(BACKEND, "umbrella-board", "[\"subscribe\",\"hidden\"]").statusCode(503)
                .body("type", equalTo(problem(ALLOWED)));
    }

    @Test
    void aGrantsClaimConfersOnlyWhatTheTenantAllowsIt() {
        String claimsHidden = user("alice", "umbrella-board", List.of("hidden", "recorder"));
        post(claimsHidden, "umbrella-board", "[\"subscribe\",\"hidden\"]").statusCode(403)
                .body("type", equalTo(problem("forbidden-grant")));
        post(claimsHidden, "umbrella-board", "[\"subscribe\",\"recorder\"]").statusCode(503)
                .body("type", equalTo(problem(ALLOWED)));
        post(user("alice", "umbrella-board", null), "umbrella-board", "[\"recorder\"]").statusCode(403)
                .body("type", equalTo(problem("forbidden-grant")));
        post(claimsHidden, "umbrella-board", "[\"room-admin\"]").statusCode(403)
                .body("type", equalTo(problem("forbidden-grant")));
    }

    @Test
    void aUserJwtCannotLeaveItsRoom() {
        String jwt = user("alice", "umbrella-standup", null);
        post(jwt, "umbrella-standup", null).statusCode(503).body("type", equalTo(problem(ALLOWED)));
        post(jwt, "umbrella-board", null).statusCode(403).body("type", equalTo(problem("forbidden-room")));
        post(user("alice", null, null), "umbrella-standup", null).statusCode(403)
                .body("type", equalTo(problem("forbidden-room")));
        post(BACKEND, "umbrella-board", null).statusCode(503).body("type", equalTo(problem(ALLOWED)));
    }

    @Test
    void aUserJwtCannotConfigureTheRoom() {
        String jwt = user("alice", "umbrella-standup", null);
        given().contentType("application/json").header("Authorization", jwt)
                .body("{\"room_name\":\"umbrella-standup\",\"room_config\":{\"max_participants\":500}}")
                .post("/v1/token").then().statusCode(403).body("type", equalTo(problem("forbidden-room-config")));
    }

    @Test
    void aMalformedRoomClaimIsRefused() {
        String jwt = JWT.create().withIssuer("umbrella").withSubject("alice").withClaim("room", 7)
                .withExpiresAt(Date.from(Instant.now().plusSeconds(600))).sign(Algorithm.HMAC256(SECRET));
        post("Bearer " + jwt, "umbrella-standup", null).statusCode(401).body("type", equalTo(problem("malformed-jwt")));
    }

    static String user(String subject, String room, List<String> grants) {
        return "Bearer " + jwt(subject, room, grants);
    }

    /** A user JWT of tenant umbrella for {@code subject}, naming {@code room} and claiming {@code grants} if given. */
    static String jwt(String subject, String room, List<String> grants) {
        JWTCreator.Builder jwt = JWT.create().withIssuer("umbrella").withSubject(subject)
                .withExpiresAt(Date.from(Instant.now().plusSeconds(600)));
        if (room != null) {
            jwt.withClaim("room", room);
        }
        if (grants != null) {
            jwt.withClaim("lkfleet_grants", grants);
        }
        return jwt.sign(Algorithm.HMAC256(SECRET));
    }

    private static ValidatableResponse post(String authorization, String room, String grants) {
        String body = "{\"room_name\":\"" + room + "\",\"participant_identity\":\"alice\""
                + (grants == null ? "" : ",\"grants\":" + grants) + "}";
        return given().contentType("application/json").header("Authorization", authorization).body(body)
                .when().post("/v1/token").then()
                .contentType("application/problem+json")
                .body("participant_token", equalTo(null));
    }

    private static String problem(String reason) {
        return "https://lkfleet.io/problems/" + reason;
    }
}
