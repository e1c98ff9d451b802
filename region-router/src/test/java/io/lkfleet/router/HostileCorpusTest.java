package io.lkfleet.router;

import static io.lkfleet.local.testing.HostileCorpus.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.contract.Problems;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.LocalConfig;
import io.lkfleet.local.testing.HostileCorpus;
import io.lkfleet.local.testing.HostileCorpus.Attack;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of hostile requests to {@code /v1/route} and to every admin route: auth tricks (no,
 * wrong, swapped, doubled, padded tokens), broken and oversized bodies, hostile names. Each gets its
 * own refusal, never a 5xx, and none changes anything: no Redis key, no decision in Kafka.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class HostileCorpusTest {
    private static final String JSON = "application/json";
    private static final String UNAUTHORIZED = Reason.UNAUTHORIZED.type();

    @Inject
    RedisDataSource redis;

    private final String marker = "hostile" + UUID.randomUUID().toString().replace("-", "");
    private final LocalConfig.Credentials credentials = TestFleet.get().layout().local().credentials();

    @Test
    void routeRefusesEveryHostileRequestWithItsOwnProblemAndChangesNothing() {
        HostileCorpus corpus = new HostileCorpus();
        String caller = credentials.routerCallerToken();
        String good = body(Map.of("tenant", "t", "room", marker + "-r", "identity", marker + "-i", "role", "publisher"));
        for (String auth : HostileCorpus.badBearers(caller, credentials.routerAdminToken())) {
            for (String body : List.of(good, "{}", "not json", "", "[".repeat(100),
                    body(Map.of("tenant", "other", "room", marker + "-x", "identity", "admin", "role", "hidden",
                            "expected_participants", 100000)))) {
                corpus.add(new Attack("route auth " + shorten(auth), "POST", "/v1/route",
                        headers("Authorization", auth, "Content-Type", JSON), bytes(body), 401, UNAUTHORIZED));
            }
        }
        corpus.add(new Attack("route with two Authorization headers", "POST", "/v1/route",
                headers("Authorization", "Bearer wrong", "Authorization", "Bearer " + caller, "Content-Type", JSON),
                bytes(good), 401, UNAUTHORIZED));
        String bearer = "Bearer " + caller;
        // not numbers or booleans: Jackson reads those as strings, and the join would be valid
        List<Object> notAString = List.of(List.of("a"), Map.of("a", 1), List.of(), Map.of());
        for (String room : List.of("", " ", "\t\n")) {
            corpus.add(route("blank room", bearer, Map.of("tenant", "t", "room", room, "identity", marker, "role", "publisher"),
                    400, "invalid-room"));
        }
        corpus.add(route("no room", bearer, Map.of("tenant", "t", "identity", marker, "role", "publisher"), 400, "invalid-room"));
        for (String identity : List.of("", " ", "\t\n\u2003")) {
            corpus.add(route("blank identity", bearer, Map.of("tenant", "t", "room", marker + "-a", "identity", identity,
                    "role", "publisher"), 400, "invalid-identity"));
        }
        corpus.add(route("no identity", bearer, Map.of("tenant", "t", "room", marker + "-b", "role", "publisher"), 400,
                "invalid-identity"));
        for (String role : List.of("admin", "Publisher", "PUBLISHER", "publisher ", "", "recorder", "room_admin", "hidden\u0000",
                "subscriber;publisher", "../publisher", "null", "*", "publisher\n")) {
            corpus.add(route("role " + role, bearer, Map.of("tenant", "t", "room", marker + "-c", "identity", marker,
                    "role", role), 400, "invalid-role"));
        }
        corpus.add(route("no role", bearer, Map.of("tenant", "t", "room", marker + "-d", "identity", marker), 400, "invalid-role"));
        for (int n : List.of(0, -1, -1000, Integer.MIN_VALUE)) {
            corpus.add(route("expected_participants " + n, bearer, Map.of("tenant", "t", "room", marker + "-e",
                    "identity", marker, "role", "subscriber", "expected_participants", n), 400, "invalid-expected-participants"));
        }
        // hostile names never reach validation's later checks without a role: the first failing check answers
        for (String name : HostileCorpus.hostileNames(marker)) {
            corpus.add(route("hostile room name, bad role", bearer, Map.of("tenant", "other-tenant", "room", name,
                    "identity", marker, "role", "root"), 400, "invalid-role"));
            corpus.add(route("hostile identity, bad size", bearer, Map.of("tenant", "t", "room", marker + "-f",
                    "identity", name, "role", "subscriber", "expected_participants", 0), 400, "invalid-expected-participants"));
        }
        for (Object wrongType : notAString) {
            corpus.add(new Attack("room of type " + wrongType.getClass().getSimpleName(), "POST", "/v1/route",
                    headers("Authorization", bearer, "Content-Type", JSON), bytes(body(Map.of("tenant", "t", "room", wrongType,
                    "identity", marker, "role", "publisher"))), 400, null));
        }
        for (String text : List.of("", "null", "[]", "\"" + marker + "\"", "{", "{\"room\":", "{\"room\":\"" + marker + "\"",
                "{'room':'x'}", "{\"room\":\"x\"}}", "{\"room\":\"x\"} trailing", "\uFEFF{}", "{\"expected_participants\":\"many\"}",
                "{\"expected_participants\":1e999}", "{\"expected_participants\":99999999999999999999}",
                "{\"region_rtt_ms\":{\"eu-west\":\"fast\"}}", "{\"region_rtt_ms\":[1,2]}", "{\"latitude\":\"north\"}",
                "{\"allowed_regions\":\"eu-west\"}", "{\"room\":\"" + marker + "\",\"room\":{\"$gt\":\"\"}}",
                "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000))) {
            corpus.add(new Attack("malformed JSON", "POST", "/v1/route", headers("Authorization", bearer, "Content-Type", JSON),
                    bytes(text), 400, null));
        }
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/octet-stream", "garbage///")) {
            corpus.add(new Attack("content type " + type, "POST", "/v1/route", headers("Authorization", bearer,
                    "Content-Type", type), bytes(good), 415, Problems.type("unsupported-media-type")));
        }
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            corpus.add(new Attack("method " + method, method, "/v1/route", headers("Authorization", bearer,
                    "Content-Type", JSON), bytes(good), 405, Problems.type("method-not-allowed")));
        }
        corpus.add(route("1 MB room name", bearer, Map.of("tenant", "t", "room", marker + "x".repeat(1 << 20), "identity", marker,
                "role", "owner"), 400, "invalid-role"));
        corpus.add(route("1 MB identity", bearer, Map.of("tenant", "t", "room", marker + "-g", "identity", "i".repeat(1 << 20),
                "role", "subscriber", "expected_participants", -5), 400, "invalid-expected-participants"));
        assertTrue(corpus.size() >= 200, "route corpus has only " + corpus.size());

        TopicRecords before = topics();
        Map<Integer, Integer> byStatus = corpus.run(baseUrl());
        nothingChanged(before);
        System.out.printf("route hostile corpus: %d requests, answers %s%n", corpus.size(), byStatus);
    }

    @Test
    void adminRoutesRefuseEveryHostileRequestWithItsOwnProblemAndChangeNothing() {
        HostileCorpus corpus = new HostileCorpus();
        String admin = credentials.routerAdminToken();
        String node = TestFleet.get().node("eu-west-a").nodeId();
        String booking = body(Map.of("room", marker + "-webinar", "region", "eu-west", "participants", 3,
                "until", Instant.now().plusSeconds(600).toString()));
        List<String[]> routes = List.of(new String[] {"GET", "/v1/admin/nodes"},
                new String[] {"POST", "/v1/admin/nodes/" + node + "/drain"}, new String[] {"DELETE", "/v1/admin/nodes/" + node + "/drain"},
                new String[] {"POST", "/v1/scheduled-rooms"}, new String[] {"DELETE", "/v1/scheduled-rooms/eu-west/" + marker},
                new String[] {"POST", "/v1/admin/nodes/" + marker + "/drain"});
        for (String auth : HostileCorpus.badBearers(admin, credentials.routerCallerToken())) {
            for (String[] route : routes) {
                corpus.add(new Attack("admin auth " + shorten(auth), route[0], route[1],
                        headers("Authorization", auth, "Content-Type", JSON), bytes(booking), 401, UNAUTHORIZED));
            }
        }
        String bearer = "Bearer " + admin;
        for (String name : HostileCorpus.hostileNames(marker)) {
            String id = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            // an encoded '/', '\\', '%' or control character may be refused by the HTTP layer before any route matches
            boolean plain = HostileCorpus.plainSegment(name);
            int status = plain ? 404 : HostileCorpus.ANY_4XX;
            String type = plain ? Problems.type("unknown-node") : null;
            corpus.add(new Attack("drain unknown node " + shorten(name), "POST", "/v1/admin/nodes/" + id + "/drain",
                    headers("Authorization", bearer), null, status, type));
            corpus.add(new Attack("undrain unknown node " + shorten(name), "DELETE", "/v1/admin/nodes/" + id + "/drain",
                    headers("Authorization", bearer), null, status, type));
            corpus.add(booking("booking in unknown region", bearer, Map.of("room", marker, "region", name, "participants", 2,
                    "until", Instant.now().plusSeconds(60).toString()), 404, "unknown-region"));
        }
        List<Map<String, Object>> invalid = new ArrayList<>();
        invalid.add(Map.of());
        invalid.add(Map.of("room", marker, "region", "eu-west", "participants", 2));
        invalid.add(Map.of("room", marker, "region", "eu-west", "until", Instant.now().plusSeconds(60).toString()));
        invalid.add(Map.of("region", "eu-west", "participants", 2, "until", Instant.now().plusSeconds(60).toString()));
        invalid.add(Map.of("room", marker, "participants", 2, "until", Instant.now().plusSeconds(60).toString()));
        for (int n : List.of(0, -1, Integer.MIN_VALUE)) {
            invalid.add(Map.of("room", marker, "region", "eu-west", "participants", n, "until", Instant.now().plusSeconds(60).toString()));
        }
        for (String until : List.of("tomorrow", "", "2026-13-45T00:00:00Z", "1700000000", "2026-01-01", "P1D", "now",
                "9999999-01-01T00:00:00Z", "2026-01-01T00:00:00+25:00", "\u0000")) {
            invalid.add(Map.of("room", marker, "region", "eu-west", "participants", 2, "until", until));
        }
        for (Map<String, Object> b : invalid) {
            corpus.add(booking("invalid booking " + b.keySet(), bearer, b, 400, "invalid-booking"));
        }
        for (int n : List.of(1_000_000, Integer.MAX_VALUE)) {
            corpus.add(booking("booking bigger than a node", bearer, Map.of("room", marker, "region", "eu-west", "participants", n,
                    "until", Instant.now().plusSeconds(60).toString()), 409, "room-exceeds-node"));
        }
        for (String text : List.of("", "null", "[]", "{", "{\"participants\":\"x\"}", "{\"participants\":1e999}",
                "[".repeat(5000) + "]".repeat(5000))) {
            corpus.add(new Attack("malformed booking", "POST", "/v1/scheduled-rooms", headers("Authorization", bearer,
                    "Content-Type", JSON), bytes(text), 400, null));
        }
        // (releasing an unknown booking is 404 but writes a tombstone to fleet.admin-state by design: not in this corpus)
        assertTrue(corpus.size() >= 200, "admin corpus has only " + corpus.size());

        TopicRecords before = topics();
        Map<Integer, Integer> byStatus = corpus.run(baseUrl());
        nothingChanged(before);
        assertTrue(!redis.set(String.class).smembers("fleet:{eu-west}:draining").contains(node), "a refused drain drained");
        System.out.printf("admin hostile corpus: %d requests, answers %s%n", corpus.size(), byStatus);
    }

    private Attack route(String category, String bearer, Map<String, Object> body, int status, String reason) {
        return new Attack(category, "POST", "/v1/route", headers("Authorization", bearer, "Content-Type", JSON),
                bytes(body(body)), status, Problems.type(reason));
    }

    private Attack booking(String category, String bearer, Map<String, Object> body, int status, String reason) {
        return new Attack(category, "POST", "/v1/scheduled-rooms", headers("Authorization", bearer, "Content-Type", JSON),
                bytes(body(body)), status, Problems.type(reason));
    }

    /** What the corpus must not change: the records of both topics region-router writes. */
    private record TopicRecords(List<String> decisions, List<String> adminState) {
    }

    private TopicRecords topics() {
        return new TopicRecords(records(Topics.DECISIONS, probe -> Callers.tokenService().contentType(JSON)
                        // a valid join: admitted or refused by placement, its decision is published either way
                        .body(Map.of("tenant", "t", "room", probe, "identity", "probe", "role", "subscriber")).post("/v1/route")),
                records(Topics.ADMIN_STATE, probe -> Callers.admin().delete("/v1/scheduled-rooms/eu-west/" + probe)));
    }

    /** No key and no record of either topic carries the corpus' marker. */
    private void nothingChanged(TopicRecords before) {
        List<String> keys = new ArrayList<>();
        redis.key(String.class).scan(new KeyScanArgs().match("*" + marker + "*").count(1000)).toIterable().forEach(keys::add);
        assertEquals(List.of(), keys, "hostile requests wrote keys");
        TopicRecords after = topics();
        assertEquals(List.of(), added(before.decisions(), after.decisions()), "hostile requests produced decisions");
        assertEquals(List.of(), added(before.adminState(), after.adminState()), "hostile requests produced admin state");
    }

    private List<String> added(List<String> before, List<String> after) {
        assertTrue(after.size() >= before.size());
        return after.subList(before.size(), after.size()).stream().filter(r -> r.contains(marker)).toList();
    }

    /**
     * Every record (key and value) of {@code topic} but the probe's: read until a record that
     * {@code publish} causes now shows up, so records of earlier requests had their chance too.
     */
    private List<String> records(String topic, java.util.function.Consumer<String> publish) {
        String probe = "probe-" + UUID.randomUUID();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestFleet.get().layout().kafkaBootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            publish.accept(probe);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.add(r.key() + " " + r.value()));
                return records.stream().anyMatch(r -> r.contains(probe));
            });
        }
        return records.stream().filter(r -> !r.contains(probe)).toList();
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + LocalFleetResource.httpPort();
    }

    private static String body(Map<String, Object> body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String shorten(String s) {
        return s == null ? "none" : s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }
}
