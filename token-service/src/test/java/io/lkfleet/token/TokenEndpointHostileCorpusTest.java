package io.lkfleet.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.lkfleet.token.tenant.HostileJwtTests;
import io.lkfleet.token.tenant.IdentityProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile corpus against {@code POST /v1/token}: auth tricks, grant escalation, cross-tenant names,
 * oversized and malformed bodies, header smuggling — sent as raw HTTP, as an attacker would. Every
 * request must be refused with its own status and problem type, none may get a 5xx or a token, and
 * none may reach routing (routing, in process on the real fleet, counts no decision: no reservation).
 */
@QuarkusTest
@WithTestResource(TenantsFileResource.class)
@WithTestResource(LocalFleetResource.class)
class TokenEndpointHostileCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACME = "Authorization: Bearer acme-backend-key-1\r\n";
    private static final String UMBRELLA = "Authorization: Bearer umbrella-backend-key\r\n";
    private static final String ACME_SECRET = "test-only-acme-user-jwt-secret-0123456789";
    private static final String VALID = "{\"room_name\":\"acme-corpus\",\"participant_identity\":\"alice\"}";
    /** What the HTTP codec refuses before any application code runs: a plain 4xx, no problem body. */
    private static final String CODEC = null;

    @Inject
    RedisDataSource redis;
    @Inject
    LiveKitRegions livekit;
    @Inject
    MeterRegistry meters;

    @BeforeEach
    void routingReady() {
        RoutingReady.await(redis, livekit);
    }

    /** Routing decisions so far, admitted or refused: each is one routed join. */
    private double decisions() {
        return meters.find("lkfleet.router.decisions").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** One hostile request and the refusal it must get. */
    record Attack(String name, String request, int status, String reason) {
    }

    @Test
    void everyHostileRequestIsRefusedWithItsProblemAndReachesNothing() throws Exception {
        List<Attack> corpus = corpus();
        double routedBefore = decisions();
        List<String> wrong = new ArrayList<>();
        for (Attack attack : corpus) {
            RawHttp.Answer answer = RawHttp.send("127.0.0.1", RestAssured.port, attack.request());
            String problem = problemType(answer);
            boolean ok = answer.status() == attack.status() && answer.status() < 500
                    && (attack.reason() == null || ("https://lkfleet.io/problems/" + attack.reason()).equals(problem))
                    && !answer.body().contains("participant_token") && !answer.body().contains("test-only-");
            if (!ok) {
                wrong.add(attack.name() + ": expected " + attack.status() + " " + attack.reason() + ", got "
                        + answer.status() + " " + problem + " " + abbreviate(answer.body()));
            }
        }
        assertTrue(corpus.size() >= 200, corpus.size() + " attacks");
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + corpus.size() + " attacks not refused as they must be:\n"
                + String.join("\n", wrong));
        assertEquals(routedBefore, decisions(), "no hostile request reached routing (no reservation)");
    }

    @Test
    void theSameCountSeesAValidRequest() {
        double before = decisions();
        RawHttp.Answer answer = RawHttp.send("127.0.0.1", RestAssured.port,
                RawHttp.post("/v1/token", ACME, "{\"room_name\":\"acme-control\",\"participant_identity\":\"alice\"}"));
        assertEquals(201, answer.status(), answer.body());
        assertEquals(before + 1, decisions(), "a valid request is routed once");
        // how long routing and the whole request took here, for clients to tell ours from their network's
        Matcher timing = Pattern.compile("(?mi)^Server-Timing: route;dur=(\\d+\\.\\d{3});desc=\"(new-room|pinned)\", "
                + "total;dur=(\\d+\\.\\d{3})\r?$").matcher(answer.head());
        assertTrue(timing.find(), answer.head());
        assertTrue(Double.parseDouble(timing.group(1)) <= Double.parseDouble(timing.group(3)), timing.group());
    }

    @Test
    void aUserJwtsTokenCarriesTheDefaultGrantsForItsRoomOnly() throws Exception {
        String user = "Authorization: Bearer " + umbrellaUser("bob", "umbrella-board", List.of("hidden")) + "\r\n";
        DecodedJWT token = minted(RawHttp.send("127.0.0.1", RestAssured.port,
                RawHttp.post("/v1/token", user, "{\"room_name\":\"umbrella-board\"}")));
        Map<String, Object> video = token.getClaim("video").asMap();
        assertEquals("umbrella-board", video.get("room"));
        assertEquals("bob", token.getSubject());
        assertEquals(Boolean.TRUE, video.get("canPublish"));
        assertFalse(Boolean.TRUE.equals(video.get("hidden")), "never hidden: " + video);
        assertFalse(Boolean.TRUE.equals(video.get("recorder")), "never recorder: " + video);
        assertFalse(Boolean.TRUE.equals(video.get("roomAdmin")), "never room admin: " + video);

        DecodedJWT backend = minted(RawHttp.send("127.0.0.1", RestAssured.port, RawHttp.post("/v1/token", UMBRELLA,
                "{\"room_name\":\"umbrella-board\",\"participant_identity\":\"observer\",\"grants\":[\"subscribe\",\"hidden\"]}")));
        assertEquals(Boolean.TRUE, backend.getClaim("video").asMap().get("hidden"), "the backend may hand out hidden");
    }

    private static DecodedJWT minted(RawHttp.Answer answer) throws Exception {
        assertEquals(201, answer.status(), answer.body());
        return JWT.decode(JSON.readTree(answer.body()).path("participant_token").asText());
    }

    static List<Attack> corpus() {
        List<Attack> all = new ArrayList<>();
        authTricks(all);
        grantEscalation(all);
        crossTenantNames(all);
        malformedBodies(all);
        oversizedBodies(all);
        headerSmuggling(all);
        return all;
    }

    private static void authTricks(List<Attack> all) {
        for (String authorization : List.of("", "Bearer", "Bearer ", "Basic YWNtZTpzZWNyZXQ=", "Digest username=acme",
                "Token acme-backend-key-1", "Bearer acme-backend-key-2", "Bearer acme-backend-key-0-rotated",
                "Bearer acme-backend-key-1x", "Bearer acme-backend-key-", "Bearer ACME-BACKEND-KEY-1",
                "Bearer a51420d10ace8ee379b6ddb38057efba567debe772d0915a2b0242f2c12d83fd", "Bearer null",
                "Bearer undefined", "Bearer acme-backend-key-1, Bearer umbrella-backend-key", "Bearer a.b.c.d",
                "Bearer a.b", "Bearer ...", "Bearer eyJhbGciOiJub25lIn0..")) {
            String name = authorization.contains(".") && authorization.chars().filter(c -> c == '.').count() == 2
                    ? "malformed-jwt" : "unauthenticated";
            all.add(new Attack("authorization '" + authorization + "'",
                    RawHttp.post("/v1/token", "Authorization: " + authorization + "\r\n", VALID), 401, name));
        }
        all.add(new Attack("no Authorization", RawHttp.post("/v1/token", "", VALID), 401, "unauthenticated"));
        all.add(new Attack("two Authorization headers, one valid",
                RawHttp.post("/v1/token", ACME + "Authorization: Bearer nope\r\n", VALID), 401, "unauthenticated"));
        all.add(new Attack("two valid Authorization headers",
                RawHttp.post("/v1/token", ACME + UMBRELLA, VALID), 401, "unauthenticated"));
        all.add(new Attack("look-alike key (cyrillic e)", RawHttp.post("/v1/token",
                utf8AsLatin1("Authorization: Bearer acm\u0435-backend-key-1\r\n"), VALID), 401, "unauthenticated"));
        HostileJwtTests.hostile().forEach(args -> all.add(new Attack("jwt " + args.get()[0],
                RawHttp.post("/v1/token", "Authorization: Bearer " + args.get()[1] + "\r\n", VALID), 401,
                "malformed-jwt")));
        Date future = Date.from(Instant.now().plusSeconds(600));
        Map<String, String> forged = Map.of(
                "alg none", JWT.create().withIssuer("acme").withSubject("alice").withExpiresAt(future)
                        .sign(Algorithm.none()),
                "wrong secret", acmeUser().sign(Algorithm.HMAC256("not-the-tenant-secret-0123456789")),
                "HS384 with the tenant secret", acmeUser().sign(Algorithm.HMAC384(ACME_SECRET)),
                "RS256 for an HS256 tenant", acmeUser().sign(IdentityProvider.algorithm(IdentityProvider.rsa())),
                "expired", JWT.create().withIssuer("acme").withSubject("alice")
                        .withExpiresAt(Date.from(Instant.now().minusSeconds(3600))).sign(Algorithm.HMAC256(ACME_SECRET)),
                "not yet valid", acmeUser().withNotBefore(Date.from(Instant.now().plusSeconds(3600)))
                        .sign(Algorithm.HMAC256(ACME_SECRET)),
                "unknown issuer", JWT.create().withIssuer("evil").withSubject("alice").withExpiresAt(future)
                        .sign(Algorithm.HMAC256(ACME_SECRET)),
                "other tenant's issuer, this tenant's secret", JWT.create().withIssuer("umbrella").withSubject("alice")
                        .withExpiresAt(future).withClaim("room", "umbrella-board").sign(Algorithm.HMAC256(ACME_SECRET)),
                "issuer with a space", JWT.create().withIssuer(" acme").withSubject("alice").withExpiresAt(future)
                        .sign(Algorithm.HMAC256(ACME_SECRET)));
        forged.forEach((name, jwt) -> all.add(new Attack("jwt " + name,
                RawHttp.post("/v1/token", "Authorization: Bearer " + jwt + "\r\n", VALID), 401, "unauthenticated")));
        all.add(new Attack("jwt vouching for another identity", RawHttp.post("/v1/token",
                "Authorization: Bearer " + acmeUser().withSubject("mallory").sign(Algorithm.HMAC256(ACME_SECRET)) + "\r\n",
                VALID), 403, "identity-mismatch"));
        all.add(new Attack("jwt whose subject escapes", RawHttp.post("/v1/token",
                "Authorization: Bearer " + acmeUser().withSubject("../admin").sign(Algorithm.HMAC256(ACME_SECRET)) + "\r\n",
                "{\"room_name\":\"acme-corpus\"}"), 400, "invalid-participant-identity"));
    }

    private static void grantEscalation(List<Attack> all) {
        for (String grants : List.of("[\"hidden\"]", "[\"recorder\"]", "[\"room-admin\"]", "[\"publish\",\"hidden\"]",
                "[\"hidden\",\"recorder\",\"room-admin\"]")) {
            all.add(new Attack("acme backend asks " + grants, acme(withGrants(grants)), 403, "forbidden-grant"));
        }
        for (String grants : List.of("[\"admin\"]", "[\"HIDDEN\"]", "[\"hidden \"]", "[\"\"]", "[\"canPublish\"]",
                "[\"roomAdmin\"]", "[\"publish\",\"*\"]", "[\"../hidden\"]", "[null]")) {
            all.add(new Attack("unknown grant " + grants, acme(withGrants(grants)), 400, "invalid-grants"));
        }
        for (String grants : List.of("\"hidden\"", "{\"hidden\":true}", "[1]", "[true]", "[[\"hidden\"]]", "7")) {
            all.add(new Attack("grants of the wrong type " + grants, acme(withGrants(grants)), 400, "wrong-type"));
        }
        String board = "{\"room_name\":\"umbrella-board\",\"grants\":";
        Map<String, String> userAsks = Map.of(
                "hidden", "[\"hidden\"]", "recorder", "[\"recorder\"]", "room-admin", "[\"room-admin\"]",
                "publish and hidden", "[\"publish\",\"hidden\"]", "all", "[\"publish\",\"subscribe\",\"publish-data\","
                        + "\"hidden\",\"recorder\",\"room-admin\"]");
        userAsks.forEach((name, grants) -> all.add(new Attack("user jwt asks " + name,
                umbrellaUser(umbrellaUser("alice", "umbrella-board", null), board + grants + "}"), 403, "forbidden-grant")));
        all.add(new Attack("user jwt claiming hidden asks hidden", umbrellaUser(
                umbrellaUser("alice", "umbrella-board", List.of("hidden")), board + "[\"hidden\"]}"), 403, "forbidden-grant"));
        all.add(new Attack("user jwt claiming room-admin asks room-admin", umbrellaUser(
                umbrellaUser("alice", "umbrella-board", List.of("room-admin")), board + "[\"room-admin\"]}"), 403,
                "forbidden-grant"));
        all.add(new Attack("acme user jwt asks hidden", RawHttp.post("/v1/token", "Authorization: Bearer "
                + acmeUser().sign(Algorithm.HMAC256(ACME_SECRET)) + "\r\n",
                "{\"room_name\":\"acme-corpus\",\"grants\":[\"hidden\"]}"), 403, "forbidden-grant"));
        for (String config : List.of("{\"max_participants\":500}", "{\"empty_timeout\":1}", "{\"departure_timeout\":1}",
                "{\"metadata\":\"owned\"}", "{\"sync_streams\":true}", "{\"min_playout_delay\":1}")) {
            all.add(new Attack("user jwt configures the room " + config, umbrellaUser(umbrellaUser("alice",
                    "umbrella-board", null), "{\"room_name\":\"umbrella-board\",\"room_config\":" + config + "}"), 403,
                    "forbidden-room-config"));
        }
        all.add(new Attack("user jwt with a malformed grants claim", RawHttp.post("/v1/token", "Authorization: Bearer "
                + JWT.create().withIssuer("umbrella").withSubject("alice").withClaim("room", "umbrella-board")
                        .withClaim("lkfleet_grants", 7).withExpiresAt(Date.from(Instant.now().plusSeconds(600)))
                        .sign(Algorithm.HMAC256(UserJwtLeastPrivilegeTest.SECRET)) + "\r\n", "{\"room_name\":\"umbrella-board\"}"),
                401, "malformed-jwt"));
    }

    private static void crossTenantNames(List<Attack> all) {
        for (String room : List.of("globex-room", "umbrella-board", "acme", "ACME-room", "acm-room", "xacme-room",
                "umbrella-acme-x", "globex-acme-", "acme_room", "acme:room")) {
            all.add(new Attack("acme backend names room " + room, acme(body(room, "alice")), 403, "forbidden-namespace"));
        }
        for (String room : List.of(" acme-room", "acme-room ", "acme-../globex", "acme-room/../../globex-x", "..",
                "acme-%2e%2e", "acme-room\\u0000", "\\u0430cme-room", "\\uff41cme-room", "acme-room\\n",
                "acme-" + "x".repeat(200), "", "acme-room#x", "acme-room?x", "acme-room|x", "acme-room{x}",
                "acme-room\\\\x", "globex-../acme-x", "-acme-room", ".acme-room", "acme-room\\u202e")) {
            all.add(new Attack("acme backend names bad room '" + room + "'", acme(body(room, "alice")), 400,
                    "invalid-room-name"));
        }
        for (String identity : List.of("a/b", "../admin", "", " alice", "alice\\n", "al\\u00efce", "x".repeat(129),
                "alice;drop", "alice\\u0000", "-alice")) {
            all.add(new Attack("identity '" + identity + "'", acme(body("acme-corpus", identity)), 400,
                    "invalid-participant-identity"));
        }
        String board = umbrellaUser("alice", "umbrella-board", null);
        for (String room : List.of("umbrella-other", "umbrella-board2", "umbrella-boar")) {
            all.add(new Attack("user jwt of umbrella-board asks " + room,
                    umbrellaUser(board, "{\"room_name\":\"" + room + "\"}"), 403, "forbidden-room"));
        }
        for (String room : List.of("acme-corpus", "Umbrella-board", "globex-room")) {
            all.add(new Attack("user jwt of umbrella-board asks " + room,
                    umbrellaUser(board, "{\"room_name\":\"" + room + "\"}"), 403, "forbidden-namespace"));
        }
        all.add(new Attack("user jwt naming another tenant's room", umbrellaUser(umbrellaUser("alice", "acme-corpus",
                null), "{\"room_name\":\"acme-corpus\"}"), 403, "forbidden-namespace"));
        all.add(new Attack("user jwt naming no room", umbrellaUser(umbrellaUser("alice", null, null),
                "{\"room_name\":\"umbrella-board\"}"), 403, "forbidden-room"));
        all.add(new Attack("room_config for another room", acme("{\"room_name\":\"acme-corpus\",\"participant_identity\":"
                + "\"alice\",\"room_config\":{\"name\":\"globex-room\"}}"), 400, "invalid-room-config"));
    }

    private static void malformedBodies(List<Attack> all) {
        all.add(new Attack("empty body", acme(""), 400, "missing-body"));
        all.add(new Attack("whitespace body", acme("   \n"), 400, "missing-body"));
        all.add(new Attack("null body", acme("null"), 400, "missing-body"));
        for (String body : List.of("[]", "\"acme-room\"", "1", "true", "[{\"room_name\":\"acme-corpus\"}]")) {
            all.add(new Attack("body " + body, acme(body), 400, "wrong-type"));
        }
        for (String body : List.of("{", "{}}", "{} x", "{\"room_name\":}", "{'room_name':'acme-x'}", "{room_name:\"x\"}",
                "{\"room_name\":\"acme-x\",}", "{\"a\":1,,}", "/* c */{}", "{\"room_name\":\"acme-\u0000\"}",
                "{\"room_name\":\"acme-x\" \"participant_identity\":\"a\"}", "\u0000", "{\"participant_attributes\":"
                        + "[".repeat(2000) + "]".repeat(2000) + "}", "{\"ttl_seconds\":99999999999999999999}",
                "{\"ttl_seconds\":NaN}", "{\"ttl_seconds\":0x10}", "{\"room_name\":\"acme-x\"}{}")) {
            all.add(new Attack("malformed " + abbreviate(body), acme(body), 400, "malformed-json"));
        }
        all.add(new Attack("invalid UTF-8", RawHttp.post("/v1/token", ACME, "{\"room_name\":\"acme-@@\"}")
                .replace("@@", "\u00c3\u0028"), 400, "malformed-json"));
        for (String field : List.of("\"admin\":true", "\"is_admin\":1", "\"room\":\"acme-x\"", "\"identity\":\"x\"",
                "\"grant\":[\"hidden\"]", "\"__proto__\":{}", "\"constructor\":{}", "\"hidden\":true",
                "\"roomName2\":\"x\"", "\"room_config\":{\"egress_x\":1}", "\"video\":{\"roomAdmin\":true}",
                "\"ROOM_NAME\":\"acme-x\"")) {
            all.add(new Attack("unknown field " + field, acme(withField(field)), 400, "unknown-field"));
        }
        for (String twice : List.of("\"room_name\":\"acme-a\",\"room_name\":\"globex-b\"",
                "\"participant_identity\":\"alice\",\"participant_identity\":\"bob\"",
                "\"grants\":[\"publish\"],\"grants\":[\"hidden\"]", "\"roomName\":\"globex-b\"",
                "\"ttl_seconds\":60,\"ttl_seconds\":99999", "\"room_config\":{\"max_participants\":1,\"max_participants\":9}",
                "\"room_config\":{\"max_participants\":1,\"maxParticipants\":9}", "\"room_config\":{},\"roomConfig\":{}",
                "\"participantIdentity\":\"bob\"")) {
            all.add(new Attack("field twice " + twice, acme("{\"room_name\":\"acme-corpus\",\"participant_identity\":"
                    + "\"alice\"," + twice.replaceFirst("^\"room_name\":\"acme-a\",", "").replaceFirst(
                            "^\"participant_identity\":\"alice\",", "") + "}"), 400, "duplicate-field"));
        }
        for (String field : List.of("\"room_name\":123", "\"room_name\":true", "\"room_name\":{}", "\"room_name\":[]",
                "\"participant_name\":1.5", "\"participant_metadata\":{}", "\"participant_attributes\":[]",
                "\"participant_attributes\":{\"a\":1}", "\"participant_attributes\":{\"a\":{}}", "\"room_config\":\"x\"",
                "\"room_config\":[]", "\"room_config\":{\"max_participants\":\"5\"}",
                "\"room_config\":{\"max_participants\":5.5}", "\"room_config\":{\"sync_streams\":\"yes\"}",
                "\"room_config\":{\"empty_timeout\":true}", "\"region_rtt_ms\":[]", "\"region_rtt_ms\":{\"eu-west\":\"20\"}",
                "\"region_rtt_ms\":{\"eu-west\":20.5}", "\"ttl_seconds\":\"600\"", "\"ttl_seconds\":600.5",
                "\"ttl_seconds\":true", "\"expected_participants\":\"2\"", "\"expected_publishers\":[]")) {
            String body = field.startsWith("\"room_name\"") ? "{" + field + ",\"participant_identity\":\"alice\"}"
                    : withField(field);
            all.add(new Attack("wrong type " + field, acme(body), 400, "wrong-type"));
        }
        Map<String, String> values = Map.ofEntries(
                Map.entry("\"ttl_seconds\":1", "invalid-ttl-seconds"),
                Map.entry("\"ttl_seconds\":-5", "invalid-ttl-seconds"),
                Map.entry("\"ttl_seconds\":99999999", "invalid-ttl-seconds"),
                Map.entry("\"expected_participants\":0", "invalid-expected-participants"),
                Map.entry("\"expected_participants\":-1", "invalid-expected-participants"),
                Map.entry("\"expected_participants\":100001", "invalid-expected-participants"),
                Map.entry("\"expected_participants\":2,\"expected_publishers\":3", "invalid-expected-publishers"),
                Map.entry("\"expected_publishers\":1", "invalid-expected-publishers"),
                Map.entry("\"region_rtt_ms\":{\"us-east\":20}", "invalid-region-rtt-ms"),
                Map.entry("\"region_rtt_ms\":{\"eu-west\":-1}", "invalid-region-rtt-ms"),
                Map.entry("\"region_rtt_ms\":{\"eu-west\":10001}", "invalid-region-rtt-ms"),
                Map.entry("\"region_rtt_ms\":{\"eu-west\":null}", "invalid-region-rtt-ms"),
                Map.entry("\"participant_metadata\":\"" + "m".repeat(17 * 1024) + "\"", "invalid-participant-metadata"),
                Map.entry("\"participant_name\":\"" + "n".repeat(129) + "\"", "invalid-participant-name"),
                Map.entry("\"participant_name\":\"a\\u0000b\"", "invalid-participant-name"),
                Map.entry("\"participant_attributes\":{" + IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\":\"v\"")
                        .collect(Collectors.joining(",")) + "}", "invalid-participant-attributes"),
                Map.entry("\"participant_attributes\":{\"a/b\":\"v\"}", "invalid-participant-attributes"),
                Map.entry("\"participant_attributes\":{\"a\":null}", "invalid-participant-attributes"),
                Map.entry("\"participant_attributes\":{\"a\":\"" + "v".repeat(2048) + "\"}", "invalid-participant-attributes"),
                Map.entry("\"room_config\":{\"egress\":{\"room\":{}}}", "invalid-room-config"),
                Map.entry("\"room_config\":{\"agents\":[{}]}", "invalid-room-config"),
                Map.entry("\"room_config\":{\"max_participants\":-1}", "invalid-room-config"),
                Map.entry("\"room_config\":{\"empty_timeout\":90000}", "invalid-room-config"),
                Map.entry("\"room_config\":{\"metadata\":\"" + "m".repeat(17 * 1024) + "\"}", "invalid-room-config"));
        values.forEach((field, reason) -> all.add(new Attack("value " + abbreviate(field), acme(withField(field)), 400,
                reason)));
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x")) {
            all.add(new Attack("content type " + type, RawHttp.post("/v1/token", ACME, VALID)
                    .replace("Content-Type: application/json", "Content-Type: " + type), 415, "unsupported-media-type"));
        }
        all.add(new Attack("no content type", RawHttp.post("/v1/token", ACME, VALID)
                .replace("Content-Type: application/json\r\n", ""), 415, "unsupported-media-type"));
    }

    private static void oversizedBodies(List<Attack> all) {
        for (int kib : new int[] {130, 256, 1024, 4096}) {
            all.add(new Attack("body of " + kib + " KiB", acme(withField("\"participant_metadata\":\""
                    + "m".repeat(kib * 1024) + "\"")), 413, "body-too-large"));
        }
    }

    private static void headerSmuggling(List<Attack> all) {
        String chunk = withField("\"participant_metadata\":\"" + "m".repeat(200 * 1024) + "\"");
        all.add(new Attack("chunked body of 200 KiB (no Content-Length)", "POST /v1/token HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nConnection: close\r\n" + ACME + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n", 413, CODEC));
        String smuggled = "POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        all.add(new Attack("CL.TE smuggling", "POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, 400,
                CODEC));
        all.add(new Attack("two different Content-Lengths", "POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/json\r\nConnection: close\r\nContent-Length: 2\r\nContent-Length: 60\r\n\r\n" + VALID, 400,
                CODEC));
        all.add(new Attack("negative Content-Length", "POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/json\r\nConnection: close\r\nContent-Length: -1\r\n\r\n" + VALID, 400, CODEC));
        all.add(new Attack("Content-Length not a number", "POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/json\r\nConnection: close\r\nContent-Length: 5x\r\n\r\n" + VALID, 400, CODEC));
        all.add(new Attack("space before the colon", RawHttp.post("/v1/token", "Authorization : Bearer acme-backend-key-1\r\n",
                VALID), 400, CODEC));
        all.add(new Attack("obs-fold Authorization", RawHttp.post("/v1/token", "Authorization: Bearer\r\n acme-forged\r\n",
                VALID), 401, "unauthenticated"));
        all.add(new Attack("NUL in a header name", RawHttp.post("/v1/token", "Autho\u0000rization: Bearer acme-backend-key-1\r\n",
                VALID), 400, CODEC));
        all.add(new Attack("header of 40 KiB", RawHttp.post("/v1/token", "X-Pad: " + "p".repeat(40 * 1024) + "\r\n" + ACME,
                VALID), 431, CODEC));
        all.add(new Attack("request line of 10 KiB", RawHttp.post("/v1/token?" + "q".repeat(10 * 1024), ACME, VALID), 414,
                CODEC));
        all.add(new Attack("smuggled request after a refused one", RawHttp.post("/v1/token", "", VALID) + smuggled, 401,
                "unauthenticated"));
        all.add(new Attack("method override header", RawHttp.post("/v1/token", "X-HTTP-Method-Override: GET\r\n", VALID),
                401, "unauthenticated"));
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            all.add(new Attack(method + " /v1/token", RawHttp.post("/v1/token", ACME, VALID)
                    .replaceFirst("^POST", method), 405, "method-not-allowed"));
        }
        for (String path : List.of("/v1/tokens", "/v1/Token", "/v2/token", "/v1/token/extra", "/v1/token%2f..",
                "/v1/%74oken/x")) {
            all.add(new Attack("path " + path, RawHttp.post(path, ACME, VALID), 404, "not-found"));
        }
    }

    private static String acme(String body) {
        return RawHttp.post("/v1/token", ACME, body);
    }

    private static String umbrellaUser(String jwt, String body) {
        return RawHttp.post("/v1/token", "Authorization: Bearer " + jwt + "\r\n", body);
    }

    private static String umbrellaUser(String subject, String room, List<String> grants) {
        return UserJwtLeastPrivilegeTest.jwt(subject, room, grants);
    }

    private static JWTCreator.Builder acmeUser() {
        return JWT.create().withIssuer("acme").withSubject("alice").withExpiresAt(Date.from(Instant.now().plusSeconds(600)));
    }

    private static String body(String room, String identity) {
        return "{\"room_name\":\"" + room + "\",\"participant_identity\":\"" + identity + "\"}";
    }

    private static String withGrants(String grants) {
        return withField("\"grants\":" + grants);
    }

    private static String withField(String field) {
        return "{\"room_name\":\"acme-corpus\",\"participant_identity\":\"alice\"," + field + "}";
    }

    private static String utf8AsLatin1(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String problemType(RawHttp.Answer answer) {
        if (!answer.head().toLowerCase().contains("content-type: application/problem+json")) {
            return null;
        }
        try {
            JsonNode problem = JSON.readTree(answer.body());
            return problem.path("type").asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("[^\\x20-\\x7e]", "?");
        return flat.length() > 80 ? flat.substring(0, 80) + "..." : flat;
    }
}
