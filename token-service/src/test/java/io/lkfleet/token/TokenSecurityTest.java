package io.lkfleet.token;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lkfleet.token.rest.BrowserOriginsTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way in without the right to a token gets the right 4xx, a problem, and never a token. */
@QuarkusTest
@WithTestResource(TenantsFileResource.class)
class TokenSecurityTest {
    static final String ACME_KEY = "Bearer acme-backend-key-1";
    static final String GLOBEX_KEY = "Bearer globex-backend-key";
    static final String ACME_JWT_SECRET = "test-only-acme-user-jwt-secret-0123456789";

    @Test
    void noBrowserPageMayCallUnlessTheDeploymentListsItsOrigin() {
        BrowserOriginsTest.preflight("https://meet.acme.example").header("Access-Control-Allow-Origin", nullValue());
    }

    static Stream<Arguments> refusals() {
        String room = "{\"room_name\":\"acme-standup\",\"participant_identity\":\"alice\"}";
        Date future = Date.from(Instant.now().plusSeconds(600));
        return Stream.of(
                Arguments.of("no credentials", null, room, 401, "unauthenticated"),
                Arguments.of("basic scheme", "Basic YWNtZTpzZWNyZXQ=", room, 401, "unauthenticated"),
                Arguments.of("wrong key", "Bearer acme-backend-key-2", room, 401, "unauthenticated"),
                Arguments.of("rotated-out key", "Bearer acme-backend-key-0-rotated", room, 401, "unauthenticated"),
                Arguments.of("key of another tenant", GLOBEX_KEY, room, 403, "forbidden-namespace"),
                Arguments.of("jwt alg none", "Bearer " + JWT.create().withIssuer("acme").withSubject("alice")
                        .withExpiresAt(future).sign(Algorithm.none()), room, 401, "unauthenticated"),
                Arguments.of("jwt wrong signature", "Bearer " + JWT.create().withIssuer("acme").withSubject("alice")
                        .withExpiresAt(future).sign(Algorithm.HMAC256("not-the-tenant-secret-0123456789")), room, 401,
                        "unauthenticated"),
                Arguments.of("jwt expired", "Bearer " + userJwt("alice", Instant.now().minusSeconds(3600)), room, 401,
                        "unauthenticated"),
                Arguments.of("jwt of unknown issuer", "Bearer " + JWT.create().withIssuer("evil").withSubject("alice")
                        .withExpiresAt(future).sign(Algorithm.HMAC256(ACME_JWT_SECRET)), room, 401, "unauthenticated"),
                Arguments.of("jwt for another identity", "Bearer " + userJwt("mallory", Instant.now().plusSeconds(600)),
                        room, 403, "identity-mismatch"),
                Arguments.of("truncated jwt", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhY21lIn0.", room, 401,
                        "malformed-jwt"),
                Arguments.of("jwt header without alg", "Bearer eyJ0eXAiOiJKV1QifQ."
                        + "eyJpc3MiOiJhY21lIiwic3ViIjoiYWxpY2UiLCJleHAiOjQxMDI0NDQ4MDB9.c2ln", room, 401, "malformed-jwt"),
                Arguments.of("jwt header null", "Bearer bnVsbA."
                        + "eyJpc3MiOiJhY21lIiwic3ViIjoiYWxpY2UiLCJleHAiOjQxMDI0NDQ4MDB9.c2ln", room, 401, "malformed-jwt"),
                Arguments.of("signed jwt with exp null", "Bearer " + JWT.create().withIssuer("acme").withSubject("alice")
                        .withNullClaim("exp").sign(Algorithm.HMAC256(ACME_JWT_SECRET)), room, 401, "malformed-jwt"),
                Arguments.of("signed jwt without exp", "Bearer " + JWT.create().withIssuer("acme").withSubject("alice")
                        .sign(Algorithm.HMAC256(ACME_JWT_SECRET)), room, 401, "malformed-jwt"),
                Arguments.of("path escape", ACME_KEY, body("acme-../globex-room", "alice"), 400, "invalid-room-name"),
                Arguments.of("leading dots", ACME_KEY, body("../globex-room", "alice"), 400, "invalid-room-name"),
                Arguments.of("cyrillic look-alike", ACME_KEY, body("\u0430cme-room", "alice"), 400, "invalid-room-name"),
                Arguments.of("over-long room", ACME_KEY, body("acme-" + "x".repeat(200), "alice"), 400,
                        "invalid-room-name"),
                Arguments.of("other namespace", ACME_KEY, body("globex-room", "alice"), 403, "forbidden-namespace"),
                Arguments.of("no identity", ACME_KEY, "{\"room_name\":\"acme-room\"}", 400, "invalid-participant-identity"),
                Arguments.of("identity with slash", ACME_KEY, body("acme-room", "a/b"), 400,
                        "invalid-participant-identity"),
                Arguments.of("grant beyond allowance", ACME_KEY,
                        "{\"room_name\":\"acme-room\",\"participant_identity\":\"alice\",\"grants\":[\"hidden\"]}", 403,
                        "forbidden-grant"),
                Arguments.of("unknown grant", ACME_KEY,
                        "{\"room_name\":\"acme-room\",\"participant_identity\":\"alice\",\"grants\":[\"admin\"]}", 400,
                        "invalid-grants"),
                Arguments.of("ttl over tenant max", ACME_KEY,
                        "{\"room_name\":\"acme-room\",\"participant_identity\":\"alice\",\"ttl_seconds\":999999}", 400,
                        "invalid-ttl-seconds"),
                Arguments.of("more publishers than participants", ACME_KEY, "{\"room_name\":\"acme-room\","
                        + "\"participant_identity\":\"alice\",\"expected_participants\":2,\"expected_publishers\":3}", 400,
                        "invalid-expected-publishers"),
                Arguments.of("agent dispatch", ACME_KEY, "{\"room_name\":\"acme-room\",\"participant_identity\":\"alice\","
                        + "\"room_config\":{\"agents\":[{\"agent_name\":\"x\"}]}}", 400, "invalid-room-config"),
                Arguments.of("unknown region rtt", ACME_KEY, "{\"room_name\":\"acme-room\",\"participant_identity\":"
                        + "\"alice\",\"region_rtt_ms\":{\"us-east\":20}}", 400, "invalid-region-rtt-ms"),
                Arguments.of("malformed json", ACME_KEY, "{\"room_name\":", 400, "malformed-json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithoutAToken(String why, String authorization, String body, int status, String reason) {
        var request = given().contentType("application/json").body(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        request.when().post("/v1/token").then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("https://lkfleet.io/problems/" + reason))
                .body("participant_token", equalTo(null))
                .body(not(containsString("test-only-")));
    }

    @Test
    void validRequestWhileRoutingStateIsUnreachableGets503WithRetryAfterAndNoToken() {
        given().contentType("application/json").header("Authorization", ACME_KEY)
                .body(body("acme-standup", "alice"))
                .when().post("/v1/token").then()
                .statusCode(503)
                .header("Retry-After", notNullValue())
                .body("type", equalTo("https://lkfleet.io/problems/state-unavailable"))
                .body("participant_token", equalTo(null));
    }

    @Test
    void tenantOverItsRateGets429() {
        List<Integer> statuses = Stream.generate(() -> given().contentType("application/json")
                .header("Authorization", GLOBEX_KEY).body(body("globex-room", "bob"))
                .when().post("/v1/token").statusCode()).limit(6).toList();
        assertTrue(statuses.contains(429), "globex (1 request/s, bursts of 2) is limited: " + statuses);
    }

    @Test
    void tenantsFileIsReloadedWithoutRestart() throws Exception {
        String initech = "{\"room_name\":\"initech-room\",\"participant_identity\":\"peter\"}";
        Response before = given().contentType("application/json").header("Authorization", "Bearer initech-backend-key")
                .body(initech).post("/v1/token");
        assertTrue(before.statusCode() == 401, "initech is unknown before the reload");
        Files.writeString(TenantsFileResource.TENANTS, Files.readString(TenantsFileResource.TENANTS) + """
                  initech:
                    namespace: initech-
                    grants: [publish, subscribe]
                    api-keys:
                      - sha256: fbf35b1f68be6bc7fd6a063cfc686fa6f65d167179b17998ca3c7e7adb1489e8
                """);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> given().contentType("application/json")
                .header("Authorization", "Bearer initech-backend-key").body(initech).post("/v1/token")
                .statusCode() != 401);
    }

    @Test
    void refusalsAreCountedByReason() {
        given().contentType("application/json").body(body("acme-room", "alice")).post("/v1/token");
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("lkfleet_tokens_refused_total{reason=\"unauthenticated\",tenant=\"unknown\"}"),
                "refusal counter by reason");
        assertTrue(metrics.contains("lkfleet_tokens_request_seconds_bucket"), "latency histogram");
        assertFalse(metrics.contains("test-only-"), "no secret in metrics");
    }

    static String body(String room, String identity) {
        return "{\"room_name\":\"" + room + "\",\"participant_identity\":\"" + identity + "\"}";
    }

    static String userJwt(String subject, Instant expires) {
        return JWT.create().withIssuer("acme").withSubject(subject).withExpiresAt(Date.from(expires))
                .sign(Algorithm.HMAC256(ACME_JWT_SECRET));
    }

}
