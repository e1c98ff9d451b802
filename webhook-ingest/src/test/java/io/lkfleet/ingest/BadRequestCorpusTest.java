package io.lkfleet.ingest;

import static io.lkfleet.ingest.Webhooks.LIVEKIT_MEDIA_TYPE;
import static io.lkfleet.ingest.Webhooks.newId;
import static io.lkfleet.ingest.Webhooks.region;
import static io.lkfleet.ingest.Webhooks.sha256;
import static io.lkfleet.ingest.Webhooks.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.Problems;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of hostile or broken requests: each must get a 4xx (LiveKit never retries those, and no
 * attacker input may cost a 5xx) with the problem type of its own reason, and none may leave a
 * record in Kafka.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class BadRequestCorpusTest {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** One bad request. */
    private record Bad(String category, String method, String contentType, String authorization, byte[] body) {
    }

    private final String marker = "corpus-" + UUID.randomUUID();
    private final Random random = new Random(42);
    private final FleetLayout.Region west = region("eu-west");
    private final FleetLayout.Region central = region("eu-central");

    @Test
    void neverAnswers5xxNorProducesForTwoHundredBadRequests() {
        List<Bad> corpus = corpus();
        assertTrue(corpus.size() >= 200, "corpus has only " + corpus.size());
        Map<Integer, Integer> byStatus = new TreeMap<>();
        try (WebhookTopic topic = new WebhookTopic()) {
            for (Bad bad : corpus) {
                Webhooks.Answer answer = Webhooks.send(bad.method(), bad.contentType(), bad.authorization(), bad.body());
                int status = answer.status();
                assertTrue(status >= 400 && status < 500, bad.category() + " got " + status);
                Set<String> types = expected(bad.category()).stream().map(r -> Problems.type(r.slug())).collect(Collectors.toSet());
                String type = typeOf(answer.body());
                assertTrue(types.isEmpty() || types.contains(type), bad.category() + " got " + status + " " + type
                        + ", expected one of " + types);
                byStatus.merge(status, 1, Integer::sum);
            }
            byte[] mark = marker.getBytes(StandardCharsets.UTF_8);
            List<ConsumerRecord<String, byte[]>> leaked = topic.toEnd().stream()
                    .filter(r -> indexOf(r.value(), mark) >= 0).toList();
            assertEquals(List.of(), leaked.stream().map(WebhookTopic::eventId).toList(), "bad requests reached Kafka");
        }
        // Every family of refusal was exercised, not just the first check.
        assertEquals(Set.of(400, 401, 405, 413, 415), byStatus.keySet(), byStatus.toString());
        System.out.printf("bad-request corpus: %d requests, answers %s%n", corpus.size(), byStatus);
    }

    /**
     * The refusals a family of bad requests may get: its own reasons, never a neighbour's (empty: the
     * framework's refusal, e.g. 405, which carries no reason of this service). Where the checks'
     * order decides (a flipped character may land in the issuer), each possible reason is named.
     */
    private static Set<Reason> expected(String category) {
        if (category.startsWith("forged") || category.startsWith("truncated") || category.startsWith("alg ")) {
            return Set.of(Reason.INVALID_SIGNATURE);
        }
        if (category.startsWith("flipped")) {
            return Set.of(Reason.INVALID_SIGNATURE, Reason.UNKNOWN_KEY);
        }
        if (category.startsWith("hash mismatch") || category.startsWith("replayed")) {
            return Set.of(Reason.HASH_MISMATCH);
        }
        if (category.startsWith("outside validity")) {
            return Set.of(Reason.TOKEN_NOT_VALID_NOW);
        }
        if (category.startsWith("unknown key")) {
            return Set.of(Reason.UNKNOWN_KEY);
        }
        if (category.startsWith("no Authorization") || category.equals("blank Authorization header")) {
            return Set.of(Reason.MISSING_SIGNATURE);
        }
        if (category.startsWith("bad Authorization")) {
            return Set.of(Reason.INVALID_SIGNATURE);
        }
        if (category.startsWith("huge body")) {
            return Set.of(Reason.BODY_TOO_LARGE);
        }
        if (category.startsWith("invalid UTF-8") || category.startsWith("deep nesting")) {
            return Set.of(Reason.MALFORMED_JSON);
        }
        if (category.equals("no event type")) {
            return Set.of(Reason.MISSING_EVENT_TYPE);
        }
        if (category.equals("no event id")) {
            return Set.of(Reason.MISSING_EVENT_ID);
        }
        if (category.startsWith("malformed JSON")) {
            return Set.of(Reason.MALFORMED_JSON, Reason.MISSING_EVENT_TYPE, Reason.MISSING_EVENT_ID);
        }
        if (category.equals("content type garbage///")) {
            return Set.of(); // not a media type at all: Quarkus REST answers 415 before the resource runs
        }
        if (category.startsWith("content type") || category.startsWith("no content type")) {
            return Set.of(Reason.UNSUPPORTED_MEDIA_TYPE);
        }
        return Set.of();
    }

    private static String typeOf(String body) {
        try {
            return new ObjectMapper().readTree(body == null ? "" : body).path("type").asText(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private List<Bad> corpus() {
        List<Bad> c = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // forged: right issuer, random secret
            byte[] body = body();
            String secret = B64URL.encodeToString(bytes(30));
            c.add(signed("forged signature", body, token(i % 2 == 0 ? west.apiKey() : central.apiKey(), secret, sha256(body), Instant.now())));
        }
        for (int i = 0; i < 30; i++) { // truncated and bit-flipped tokens
            byte[] body = body();
            String valid = token(west, body);
            c.add(signed("truncated token", body, valid.substring(0, 1 + random.nextInt(valid.length() - 1))));
            char[] flipped = valid.toCharArray();
            int at = random.nextInt(flipped.length);
            flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
            c.add(signed("flipped token", body, new String(flipped)));
        }
        for (String alg : List.of("none", "None", "NONE", "HS512", "HS384", "RS256", "ES256", "", "HS256 ")) {
            byte[] body = body();
            String header = B64URL.encodeToString(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
            String claims = B64URL.encodeToString(("{\"iss\":\"" + west.apiKey() + "\",\"sha256\":\"" + sha256(body) + "\",\"exp\":"
                    + (Instant.now().getEpochSecond() + 300) + "}").getBytes(StandardCharsets.UTF_8));
            c.add(signed("alg " + alg, body, header + "." + claims + "."));
            c.add(signed("alg " + alg + " with HS256 signature", body, header + "." + claims + "." + token(west, body).split("\\.")[2]));
        }
        for (int i = 0; i < 25; i++) { // hash mismatch: one byte changed after signing
            byte[] body = body();
            String auth = token(west, body);
            body[random.nextInt(body.length)] ^= 0x01;
            c.add(signed("hash mismatch", body, auth));
        }
        byte[] original = body();
        String replayed = token(central, original);
        for (int i = 0; i < 25; i++) { // a valid token replayed with other bodies
            c.add(signed("replayed token", body(), replayed));
        }
        for (Instant at : List.of(Instant.now().minusSeconds(3600), Instant.now().minusSeconds(361), Instant.now().plusSeconds(90),
                Instant.now().plusSeconds(86400))) {
            byte[] body = body();
            c.add(signed("outside validity window", body, token(west.apiKey(), west.apiSecret(), sha256(body), at)));
        }
        for (String key : List.of("APIunknown", "", "APIeuwest1dev ", west.apiKey().toLowerCase(), "' OR 1=1 --")) {
            byte[] body = body();
            c.add(signed("unknown key", body, token(key, west.apiSecret(), sha256(body), Instant.now())));
        }
        for (String auth : List.of("", " ")) {
            c.add(signed("blank Authorization header", original, auth));
        }
        for (String auth : List.of("Bearer", "Bearer " + token(west, original), "Basic dXNlcjpwYXNz", "a.b.c", "...",
                "x".repeat(4000))) {
            c.add(signed("bad Authorization header", original, auth));
        }
        c.add(new Bad("no Authorization header", "POST", LIVEKIT_MEDIA_TYPE, null, body()));
        for (int size : List.of((1 << 20) + 1, 2 << 20, 5 << 20, 7 << 20)) { // over the limit, still under Vert.x's
            byte[] body = bigBody(size);
            c.add(signed("huge body", body, token(west, body)));
            c.add(signed("huge body unsigned", body, "x"));
        }
        for (byte[] bad : List.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80})) {
            for (boolean inString : List.of(true, false)) {
                byte[] body = invalidUtf8(bad, inString);
                c.add(signed("invalid UTF-8", body, token(west, body)));
            }
        }
        for (int depth : List.of(33, 64, 100, 256, 1000, 10_000, 100_000)) {
            for (String open : List.of("[", "{\"a\":")) {
                String close = open.equals("[") ? "]" : "}";
                byte[] body = json("\"event\":\"room_started\",\"id\":\"" + newId() + "\",\"room\":{\"name\":\"" + marker
                        + "\"},\"deep\":" + open.repeat(depth) + "1" + close.repeat(depth));
                c.add(signed("deep nesting " + depth, body, token(west, body)));
            }
        }
        String room = "\"room\":{\"name\":\"" + marker + "\"}";
        for (String text : List.of("", "null", "[]", "\"" + marker + "\"", "{", "{\"event\":\"room_started\"," + room,
                "{event:'room_started',id:'" + newId() + "'," + room + "}",
                started(room) + " trailing", started(room) + "{}", started(room) + "/* c */", "\uFEFF" + started(room),
                started("\"event\":\"room_finished\"," + room),
                started("\"createdAt\":NaN," + room),
                started("\"room\":{\"name\":\"" + marker + "\",\"numParticipants\":\"x\"}"),
                started("\"room\":\"" + marker + "\""),
                "{\"event\":5,\"id\":\"" + newId() + "\"," + room + "}",
                "{\"event\":{},\"id\":\"" + newId() + "\"," + room + "}",
                "{\"event\":\"\",\"id\":\"" + newId() + "\"," + room + "}")) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            c.add(signed("malformed JSON", body, token(west, body)));
        }
        for (String text : List.of("{\"id\":\"" + newId() + "\"," + room + "}", "{\"event\":\"\",\"id\":\"" + newId() + "\"," + room + "}")) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            c.add(signed("no event type", body, token(west, body)));
        }
        for (String text : List.of("{\"event\":\"room_started\"," + room + "}", "{\"event\":\"room_started\",\"id\":\"\"," + room + "}")) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            c.add(signed("no event id", body, token(west, body)));
        }
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            for (int i = 0; i < 3; i++) {
                byte[] body = body();
                c.add(new Bad("method " + method, method, LIVEKIT_MEDIA_TYPE, token(west, body), body));
            }
        }
        for (String type : List.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "application/octet-stream", "application/webhook+json; charset=utf-16",
                "application/webhook+json; charset=iso-8859-1", "garbage///", "application/webhook+xml", "*/*", "text/json")) {
            byte[] body = body();
            c.add(new Bad("content type " + type, "POST", type, token(west, body), body));
        }
        c.add(new Bad("no content type", "POST", null, token(west, original), original));
        return c;
    }

    /** A room_started event with a fresh id and the given extra members. */
    private static String started(String members) {
        return "{\"event\":\"room_started\",\"id\":\"" + newId() + "\"," + members + "}";
    }

    private Bad signed(String category, byte[] body, String authorization) {
        return new Bad(category, "POST", LIVEKIT_MEDIA_TYPE, authorization, body);
    }

    /** A well-formed event that carries the marker, so a leak is recognisable in the topic. */
    private byte[] body() {
        return json("\"event\":\"participant_joined\",\"id\":\"" + newId() + "\",\"room\":{\"name\":\"" + marker
                + "\"},\"participant\":{\"sid\":\"PA_" + random.nextInt(1000) + "\"}");
    }

    private byte[] bigBody(int size) {
        String head = "{\"event\":\"room_started\",\"id\":\"" + newId() + "\",\"room\":{\"name\":\"" + marker + "\",\"metadata\":\"";
        return (head + "m".repeat(size - head.length() - 3) + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] invalidUtf8(byte[] bad, boolean inString) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("{\"event\":\"room_started\",\"id\":\"" + newId() + "\",\"room\":{\"name\":\"" + marker + "\",\"metadata\":"
                + (inString ? "\"" : "")).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(((inString ? "\"" : "") + "}}").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] json(String members) {
        return ("{" + members + "}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
