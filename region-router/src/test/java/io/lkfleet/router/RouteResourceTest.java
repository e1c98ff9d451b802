package io.lkfleet.router;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.lkfleet.routing.admission.RouterKeys;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** region-router against the real two-region fleet: real livekit-server nodes, real Redis and Kafka. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class RouteResourceTest {
    private static final Map<String, Integer> NEAR_CENTRAL = Map.of("eu-west", 80, "eu-central", 10);
    private static final Map<String, Integer> NEAR_WEST = Map.of("eu-west", 10, "eu-central", 80);

    @Inject
    RedisDataSource redis;
    @Inject
    MeterRegistry meters;

    LocalFleet fleet;

    @BeforeEach
    void registriesRead() {
        fleet = TestFleet.get();
        ModelMarks.markRebuilt(redis, "eu-west", "eu-central");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Callers.admin().get("/v1/admin/nodes").jsonPath()
                .getList("node_id").size() == 4);
    }

    @Test
    void clientNearerToCentralIsRoutedThereAndLiveKitPinsTheRoomOnTheChosenNode() {
        String room = room("near");
        JsonPath decision = route(room, "alice", "publisher", NEAR_CENTRAL, Map.of()).then().statusCode(200)
                .body("region", equalTo("eu-central")).body("new_room", equalTo(true))
                .body("latency_source", equalTo("measured")).extract().jsonPath();
        assertEquals(fleet.layout().regions().get("eu-central").livekitUrl(), decision.getString("livekit_url"));
        assertEquals(decision.getString("node_id"), fleet.registry("eu-central").roomNodeMap().get(room),
                "LiveKit's room_node_map agrees with the router");
        assertFalse(fleet.registry("eu-west").roomNodeMap().containsKey(room), "the room exists in one region only");
    }

    @Test
    void everyRegionsLiveKitApiIsCheckedAndAnswers() {
        // the check runs at start: a new room's first join must not be the first call to LiveKit's API
        for (String region : List.of("eu-west", "eu-central")) {
            Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> {
                Gauge up = meters.find("lkfleet.router.livekit.api.up").tag("region", region).gauge();
                return up != null && up.value() == 1;
            });
        }
    }

    @Test
    void secondParticipantFollowsThePinWhateverItsRtt() {
        String room = room("pinned");
        String node = route(room, "alice", "publisher", NEAR_CENTRAL, Map.of()).then().statusCode(200).extract()
                .path("node_id");
        route(room, "bob", "subscriber", NEAR_WEST, Map.of()).then().statusCode(200)
                .body("region", equalTo("eu-central")).body("node_id", equalTo(node)).body("new_room", equalTo(false));
    }

    @Test
    void residencyPolicyIsNeverCrossed() {
        route(room("west-only"), "alice", "publisher", NEAR_CENTRAL, Map.of("allowed_regions", List.of("eu-west")))
                .then().statusCode(200).body("region", equalTo("eu-west"));
        route(room("de-only"), "alice", "publisher", NEAR_WEST, Map.of("jurisdictions", List.of("de")))
                .then().statusCode(200).body("region", equalTo("eu-central"));
        route(room("nowhere"), "alice", "publisher", NEAR_WEST, Map.of("jurisdictions", List.of("us")))
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://lkfleet.io/problems/region-not-allowed"));
    }

    @Test
    void aRetriedOrRefreshedJoinOfOneIdentityHoldsOneSeat() {
        String room = room("one-seat");
        String region = route(room, "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(200).extract()
                .path("region");
        Set<String> reservations = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            reservations.add(route(room, "bob", "subscriber", NEAR_WEST, Map.of()).then().statusCode(200).extract()
                    .path("reservation_id"));
        }
        assertEquals(1, reservations.size(), "40 requests by bob refresh one reservation");
        assertEquals("2", redis.hash(String.class).hget(RouterKeys.roomReserved(region, room), "participants"),
                "alice and bob");
    }

    @Test
    void aBurstOfFirstJoinsPlacesEachNewRoomOnceAndAdmitsEveryJoin() throws Exception {
        List<String> rooms = List.of(room("burst-a"), room("burst-b"), room("burst-c"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(30);
        List<java.util.concurrent.Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String room = rooms.get(i % rooms.size());
            String identity = "burst-" + i;
            answers.add(pool.submit(() -> route(room, identity, "subscriber", NEAR_WEST,
                    Map.of("allowed_regions", List.of("eu-west")))));
        }
        Map<String, Set<String>> nodesOfRoom = new java.util.HashMap<>();
        for (int i = 0; i < answers.size(); i++) {
            Response answer = answers.get(i).get();
            assertEquals(200, answer.statusCode(), answer.asString());
            nodesOfRoom.computeIfAbsent(rooms.get(i % rooms.size()), r -> new HashSet<>()).add(answer.path("node_id"));
        }
        pool.shutdown();
        for (String room : rooms) {
            assertEquals(1, nodesOfRoom.get(room).size(), room + " is on one node: " + nodesOfRoom.get(room));
            assertEquals(nodesOfRoom.get(room).iterator().next(), fleet.registry("eu-west").roomNodeMap().get(room),
                    "LiveKit agrees where " + room + " is");
        }
    }

    @Test
    void pinnedRoomOutsideTheTenantsRegionsIsRefusedNotMoved() {
        String room = room("moved");
        route(room, "alice", "publisher", NEAR_CENTRAL, Map.of()).then().statusCode(200)
                .body("region", equalTo("eu-central"));
        route(room, "bob", "publisher", NEAR_WEST, Map.of("allowed_regions", List.of("eu-west"))).then()
                .statusCode(403).body("type", equalTo("https://lkfleet.io/problems/region-not-allowed"));
    }

    @Test
    void roomThatCannotFitOneNodeIsRefusedBeforeAnyLiveKitRoomExists() {
        String room = room("huge");
        route(room, "alice", "publisher", NEAR_WEST, Map.of("expected_participants", 100)).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://lkfleet.io/problems/room-exceeds-node"));
        for (String region : fleet.layout().regions().keySet()) {
            assertFalse(fleet.registry(region).roomNodeMap().containsKey(room), "no LiveKit room in " + region);
        }
    }

    @Test
    void regionWhoseModelIsNotMarkedWholeAdmitsNothing() {
        String room = room("unmodelled");
        redis.key().del(RedisKeys.model("eu-west"));
        try {
            route(room, "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(503)
                    .header("Retry-After", notNullValue())
                    .body("type", equalTo("https://lkfleet.io/problems/model-rebuilding"));
            redis.value(String.class).set(RedisKeys.model("eu-west"), RedisKeys.MODEL_REBUILDING + System.currentTimeMillis());
            route(room, "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(503)
                    .body("type", equalTo("https://lkfleet.io/problems/model-rebuilding"));
        } finally {
            ModelMarks.markRebuilt(redis, "eu-west");
        }
        assertFalse(fleet.registry("eu-west").roomNodeMap().containsKey(room), "no LiveKit room was created");
        route(room, "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(200);
    }

    @Test
    void growingRoomIsRefusedWithTheOneNodeReasonWhileOtherRoomsStillGetIn() {
        String big = room("growing");
        int admitted = 0;
        while (true) {
            Response r = route(big, "p" + admitted, "publisher", NEAR_WEST, Map.of());
            if (r.statusCode() != 200) {
                r.then().statusCode(409).body("type", equalTo("https://lkfleet.io/problems/room-exceeds-node"));
                break;
            }
            admitted++;
            assertTrue(admitted < 50, "the room never hit the one-node limit");
        }
        assertTrue(admitted >= 2, "a few publishers fit before the limit: " + admitted);
        route(room("small-after-big"), "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(200);
    }

    @Test
    void fullRegionSpillsOverToTheNextBest() {
        Set<String> regions = new HashSet<>();
        try {
            for (int i = 0; i < 40 && !regions.contains("eu-west"); i++) {
                String room = room("spill-" + i);
                String region = route(room, "a", "publisher", NEAR_CENTRAL, Map.of("expected_participants", 3)).then()
                        .statusCode(200).extract().path("region");
                regions.add(region);
                if (region.equals("eu-central")) {
                    route(room, "b", "publisher", NEAR_CENTRAL, Map.of()).then().statusCode(200);
                    route(room, "c", "publisher", NEAR_CENTRAL, Map.of()).then().statusCode(200);
                }
            }
            assertEquals(Set.of("eu-central", "eu-west"), regions, "central filled up, then west took the rooms");
        } finally {
            clearReservations("eu-central");
        }
    }

    @Test
    void drainedNodeGetsNoNewRoomsAndItsRoomsStay() {
        String pinnedRoom = room("before-drain");
        String drained = route(pinnedRoom, "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(200).extract()
                .path("node_id");
        Callers.admin().post("/v1/admin/nodes/" + drained + "/drain").then().statusCode(200).body("draining", equalTo(true));
        try {
            for (int i = 0; i < 4; i++) {
                route(room("after-drain-" + i), "a", "publisher", NEAR_WEST, Map.of()).then().statusCode(200)
                        .body("region", equalTo("eu-west")).body("node_id", org.hamcrest.Matchers.not(drained));
            }
            route(pinnedRoom, "bob", "subscriber", NEAR_WEST, Map.of()).then().statusCode(200)
                    .body("node_id", equalTo(drained));
        } finally {
            Callers.admin().delete("/v1/admin/nodes/" + drained + "/drain").then().statusCode(200);
        }
    }

    @Test
    void scheduledBigRoomKeepsItsNodeFreeOfSmallRooms() {
        String webinar = room("webinar");
        String booked = Callers.admin().contentType("application/json").body(Map.of("room", webinar, "region", "eu-west",
                "participants", 20, "publishers", 1, "until", Instant.now().plusSeconds(600).toString()))
                .post("/v1/scheduled-rooms").then().statusCode(201).extract().path("nodeId");
        try {
            for (int i = 0; i < 4; i++) {
                assertNotEquals(booked, route(room("small-" + i), "a", "publisher", NEAR_WEST, Map.of()).then()
                        .statusCode(200).extract().path("node_id"), "a small room took the booked node");
            }
            route(webinar, "host", "publisher", NEAR_WEST, Map.of("expected_participants", 20, "expected_publishers", 1))
                    .then().statusCode(200).body("node_id", equalTo(booked));
        } finally {
            Callers.admin().delete("/v1/scheduled-rooms/eu-west/" + webinar).then().statusCode(204);
        }
    }

    /**
     * The producer's side of the {@code fleet.decisions} contract: what the publisher really wrote reads
     * as a {@link DecisionRecord} of this version, with no field the contract does not name (common's
     * {@code DecisionRecordContractTests} is the consumer's side; e2e's ScenariosIT reads it too).
     */
    @Test
    void everyDecisionIsPublishedToKafkaAsItsContractAndCounted() throws Exception {
        String room = room("audited");
        String refusedRoom = room("audited-refused");
        route(room, "alice", "publisher", NEAR_WEST, Map.of()).then().statusCode(200);
        route(refusedRoom, "bob", "publisher", NEAR_WEST, Map.of("expected_participants", 100)).then()
                .statusCode(409);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.layout().kafkaBootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "decisions-test-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> written = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.DECISIONS));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> written.put(r.key(), r.value()));
                return written.containsKey(room) && written.containsKey(refusedRoom);
            });
        }
        ObjectMapper json = new ObjectMapper();
        Set<String> contract = new HashSet<>();
        json.readTree(json.writeValueAsString(new DecisionRecord(DecisionRecord.VERSION, 1, "r", "o", "r", "g", "n",
                "t", "i", "p", 1, 1, "l", "d"))).fieldNames().forEachRemaining(contract::add);
        for (String record : written.values()) {
            Set<String> names = new HashSet<>();
            json.readTree(record).fieldNames().forEachRemaining(names::add);
            assertTrue(contract.containsAll(names), "fields outside the contract in " + record);
        }
        DecisionRecord admitted = json.readValue(written.get(room), DecisionRecord.class);
        assertEquals(DecisionRecord.VERSION, admitted.version());
        assertTrue(admitted.admitted(), admitted.toString());
        assertEquals("new-room", admitted.reason());
        assertEquals(room, admitted.room());
        assertEquals("alice", admitted.identity());
        assertEquals("test", admitted.tenant());
        assertEquals("publisher", admitted.role());
        assertNotNull(admitted.region());
        assertNotNull(admitted.node());
        assertTrue(admitted.projectedSubscriptions() >= 0 && admitted.limitSubscriptions() > 0, admitted.toString());
        DecisionRecord refused = json.readValue(written.get(refusedRoom), DecisionRecord.class);
        assertEquals(DecisionRecord.VERSION, refused.version());
        assertFalse(refused.admitted());
        assertEquals(Reason.ROOM_EXCEEDS_NODE, Reason.ofSlug(refused.reason()).orElseThrow());
        assertNotNull(refused.detail());
        // every series exists from start-up at 0: these must have counted
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.matches(
                "lkfleet_router_decisions_total\\{outcome=\"admitted\",reason=\"new-room\",region=\"[a-z-]+\"} [1-9].*")),
                "admissions counted");
        assertTrue(metrics.lines().anyMatch(l -> l.matches(
                "lkfleet_router_decisions_total\\{outcome=\"refused\",reason=\"room-exceeds-node\",region=\"[a-z-]+\"} [1-9].*")),
                "refusals counted by reason");
        assertTrue(metrics.contains("lkfleet_router_decisions_total{outcome=\"refused\",reason=\"no-capacity\",region=\"eu-central\"} "),
                "known reasons exist before they happen");
    }

    @Test
    void badRequestsGetProblemsAndChangeNothing() {
        Callers.tokenService().contentType("application/json").body(Map.of("identity", "x", "role", "publisher"))
                .post("/v1/route")
                .then().statusCode(400).body("type", equalTo("https://lkfleet.io/problems/invalid-room"));
        Callers.tokenService().contentType("application/json")
                .body(Map.of("room", room("bad-role"), "identity", "x", "role", "admin"))
                .post("/v1/route").then().statusCode(400).body("type", equalTo("https://lkfleet.io/problems/invalid-role"))
                .body("status", notNullValue());
    }

    private Response route(String room, String identity, String role, Map<String, Integer> rtt,
            Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("tenant", "test");
        body.put("room", room);
        body.put("identity", identity);
        body.put("role", role);
        body.put("region_rtt_ms", rtt);
        return Callers.tokenService().contentType("application/json").body(body).post("/v1/route");
    }

    private void clearReservations(String region) {
        for (LiveKitNode node : fleet.nodes().values()) {
            if (node.region().equals(region)) {
                redis.key().del(RouterKeys.nodeReservations(region, node.nodeId()));
            }
        }
    }

    private static String room(String name) {
        return name + "-" + System.nanoTime();
    }
}
