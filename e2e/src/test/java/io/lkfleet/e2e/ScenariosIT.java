package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.testing.RtcParticipants;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The whole loop on the real fleet: client app → token-service → region-router (route, admit, pin)
 * → real WebRTC clients on LiveKit → webhooks → webhook-ingest → Kafka → capacity-service → the load
 * model the router admits against. Nodes are small (see {@link E2eFleet}): one 2-person camera+mic
 * call fills one. Every scenario prints the model's forwarded tracks beside LiveKit's num_tracks_out.
 */
class ScenariosIT extends FleetTest {
    private static final Map<String, Integer> NEAR_CENTRAL = Map.of("eu-west", 80, "eu-central", 10);

    @Test
    void smallRoomsFillRegionsInRttOrderThenSpillOverThenAreRefused() throws Exception {
        List<String> regions = new ArrayList<>();
        List<String> nodesUsed = new ArrayList<>();
        List<RtcParticipants> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                String room = "dev-fill-" + i + "-" + System.nanoTime();
                JsonNode alice = callNearCentral(room, calls);
                regions.add(alice.path("region").asText());
                nodesUsed.add(fleet.registry(alice.path("region").asText()).roomNodeMap().get(room));
            }
            assertEquals(List.of("eu-central", "eu-central", "eu-west", "eu-west"), regions,
                    "the nearer region first, the other once it is full");
            assertEquals(4, nodesUsed.stream().distinct().count(), "one 2-person call per small node");
            HttpResponse<String> refused = E2eFleet.requestToken(Map.of("room_name", "dev-fill-full-" + System.nanoTime(),
                    "participant_identity", "carol", "region_rtt_ms", NEAR_CENTRAL));
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            assertTrue(refused.body().contains("no-capacity"), refused.body());
            modelMatchesLiveKit(4);
        } finally {
            calls.forEach(RtcParticipants::close);
        }
    }

    @Test
    void growingRoomIsRefusedWithTheOneNodeReasonWhileOtherRoomsGetIn() throws Exception {
        String room = "dev-grow-" + System.nanoTime();
        JsonNode alice = E2eFleet.token(Map.of("room_name", room, "participant_identity", "alice"));
        JsonNode bob = E2eFleet.token(Map.of("room_name", room, "participant_identity", "bob"));
        try (RtcParticipants call = call(alice, bob)) {
            HttpResponse<String> third = E2eFleet.requestToken(Map.of("room_name", room, "participant_identity",
                    "carol"));
            assertEquals(409, third.statusCode(), third.body());
            assertTrue(third.body().contains("room-exceeds-node"), third.body());
            String other = "dev-grow-other-" + System.nanoTime();
            try (RtcParticipants otherCall = call(E2eFleet.token(Map.of("room_name", other, "participant_identity",
                    "dave")), E2eFleet.token(Map.of("room_name", other, "participant_identity", "erin")))) {
                assertEquals(List.of(), otherCall.failed(), "another room still gets in");
                modelMatchesLiveKit(2);
            }
        }
    }

    @Test
    void drainedThenKilledNodeTakesNoNewRoomsItsRoomsAreLostAndRoutingAvoidsIt() throws Exception {
        // The dev fleet's region URL is one node (production puts a load balancer there): keep that
        // node alive, so the room to lose goes to the other one.
        String region = "eu-central";
        LiveKitNode entry = fleet.nodes().values().stream()
                .filter(n -> n.spec().url().equals(fleet.layout().regions().get(region).livekitUrl())).findFirst()
                .orElseThrow();
        String room = "dev-doomed-" + System.nanoTime();
        drain(entry.nodeId(), true);
        JsonNode alice = E2eFleet.token(Map.of("room_name", room, "participant_identity", "alice",
                "region_rtt_ms", NEAR_CENTRAL));
        drain(entry.nodeId(), false);
        assertEquals(region, alice.path("region").asText());
        String nodeId = fleet.registry(region).roomNodeMap().get(room);
        LiveKitNode doomed = fleet.nodes().values().stream().filter(n -> n.nodeId().equals(nodeId)).findFirst()
                .orElseThrow();
        try (RtcParticipants call = RtcParticipants.join(List.of(spec("alice", alice, List.of("audio", "video"))),
                Duration.ofSeconds(20))) {
            assertEquals(List.of(), call.failed());
            drain(nodeId, true);
            for (int i = 0; i < 2; i++) {
                JsonNode other = E2eFleet.token(Map.of("room_name", "dev-after-drain-" + i + "-" + System.nanoTime(),
                        "participant_identity", "x", "region_rtt_ms", NEAR_CENTRAL, "grants", List.of("subscribe")));
                assertNotEquals(nodeId, routedNode(other), "no new room on a draining node");
            }
            doomed.kill();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() ->
                    "GONE".equals(E2eFleet.getJson(E2eFleet.url("capacity-service") + "/v1/nodes/" + nodeId)
                            .path("state").asText()));
            JsonNode lost = E2eFleet.getJson(E2eFleet.url("capacity-service") + "/v1/rooms/" + room + "?region=" + region);
            assertTrue(lost.path("lost").asBoolean(), "the model marks the room lost: " + lost);
            JsonNode rejoin = E2eFleet.token(Map.of("room_name", room, "participant_identity", "alice-again",
                    "region_rtt_ms", NEAR_CENTRAL));
            assertEquals(region, rejoin.path("region").asText(), "a lost room stays in its region");
            assertNotEquals(nodeId, routedNode(rejoin), "routing avoids the dead node");
        } finally {
            // give the fleet its node back for the tests that follow (LiveKit gives it a new id)
            if (!doomed.isRunning()) {
                fleet.startNode(doomed.spec().name());
            }
        }
    }

    @Test
    void scheduledBigRoomsNodeStaysFreeOfSmallRoomsThenTakesTheBigRoom() throws Exception {
        // On these small nodes a node-sized room is a host with camera+mic and two viewers (4 tracks).
        String webinar = "dev-webinar-" + System.nanoTime();
        HttpResponse<String> booking = E2eFleet.post(E2eFleet.url("region-router") + "/v1/scheduled-rooms",
                Map.of("room", webinar, "region", "eu-central", "participants", 3, "publishers", 1,
                        "until", Instant.now().plusSeconds(600).toString()), E2eFleet.routerAdmin());
        assertEquals(201, booking.statusCode(), booking.body());
        String booked = E2eFleet.JSON.readTree(booking.body()).path("nodeId").asText();
        List<RtcParticipants> calls = new ArrayList<>();
        try {
            // small rooms prefer eu-central, where the booked node is idle: they fill everything else
            for (int i = 0; i < 3; i++) {
                String room = "dev-small-" + i + "-" + System.nanoTime();
                JsonNode alice = callNearCentral(room, calls);
                assertNotEquals(booked, routedNode(alice), "small room " + room + " took the booked node");
                assertNotEquals(booked, E2eFleet.getJson(E2eFleet.url("capacity-service") + "/v1/rooms/" + room
                        + "?region=" + alice.path("region").asText()).path("node").asText(), "in the model too");
            }
            HttpResponse<String> refused = E2eFleet.requestToken(Map.of("room_name", "dev-small-late-" + System.nanoTime(),
                    "participant_identity", "carol", "region_rtt_ms", NEAR_CENTRAL));
            assertEquals(503, refused.statusCode(), "the booked node is idle but not for small rooms: " + refused.body());
            assertEquals(0, E2eFleet.getJson(E2eFleet.url("capacity-service") + "/v1/nodes/" + booked)
                    .path("subscriptions").asLong(), "no load on the booked node");

            // the host declares the webinar's shape: LiveKit's room is then made for 3 (3 publishers would not fit)
            JsonNode host = E2eFleet.token(Map.of("room_name", webinar, "participant_identity", "host",
                    "region_rtt_ms", NEAR_CENTRAL, "expected_participants", 3, "expected_publishers", 1));
            assertEquals(booked, routedNode(host), "the big room goes to the node kept for it");
            List<RtcParticipants.Spec> audience = new ArrayList<>(List.of(spec("host", host, List.of("audio", "video"))));
            for (String viewer : List.of("viewer-1", "viewer-2")) {
                JsonNode token = E2eFleet.token(Map.of("room_name", webinar, "participant_identity", viewer,
                        "region_rtt_ms", NEAR_CENTRAL, "grants", List.of("subscribe")));
                assertEquals("eu-central", token.path("region").asText());
                audience.add(spec(viewer, token, List.of()));
            }
            calls.add(RtcParticipants.join(audience, Duration.ofSeconds(20)));
            assertEquals(List.of(), calls.get(calls.size() - 1).failed(), "the whole big room fits its node");
            assertEquals(booked, fleet.registry("eu-central").roomNodeMap().get(webinar));
            modelMatchesLiveKit(4);
        } finally {
            calls.forEach(RtcParticipants::close);
            HttpRequest.Builder release = HttpRequest.newBuilder(URI.create(E2eFleet.url("region-router")
                    + "/v1/scheduled-rooms/eu-central/" + webinar)).DELETE();
            E2eFleet.routerAdmin().forEach(release::header);
            E2eFleet.send(release);
        }
    }

    private static void drain(String nodeId, boolean on) throws Exception {
        String url = E2eFleet.url("region-router") + "/v1/admin/nodes/" + nodeId + "/drain";
        HttpRequest.Builder undrain = HttpRequest.newBuilder(URI.create(url)).DELETE();
        E2eFleet.routerAdmin().forEach(undrain::header);
        HttpResponse<String> response = on ? E2eFleet.post(url, Map.of(), E2eFleet.routerAdmin()) : E2eFleet.send(undrain);
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void kafkaRestartMidRunLosesNoWebhookAndTheModelConvergesToLiveKit() throws Exception {
        String first = "dev-outage-a-" + System.nanoTime();
        String second = "dev-outage-b-" + System.nanoTime();
        RtcParticipants before = call(E2eFleet.token(Map.of("room_name", first, "participant_identity", "alice")),
                E2eFleet.token(Map.of("room_name", first, "participant_identity", "bob")));
        modelMatchesLiveKit(1);
        fleet.kafka().stop();
        RtcParticipants during;
        try {
            // while the broker is down: one call ends, another starts; webhook-ingest holds the events
            before.close();
            during = call(E2eFleet.token(Map.of("room_name", second, "participant_identity", "dave")),
                    E2eFleet.token(Map.of("room_name", second, "participant_identity", "erin")));
        } finally {
            fleet.kafka().start();
        }
        try (RtcParticipants live = during) {
            long kafkaBack = System.nanoTime();
            modelMatchesLiveKit(1);
            System.out.printf("model converged %.1f s after Kafka came back%n", (System.nanoTime() - kafkaBack) / 1e9);
        }
        assertEquals(Map.of("alice", 1L, "bob", 1L, "dave", 1L, "erin", 1L), joinedOnce(first, second),
                "every participant_joined landed in Kafka exactly once, the outage's included");
    }

    /**
     * Scenario (5, Redis half): lkfleet's Redis (not LiveKit's) restarts empty while calls run.
     * capacity-service sees its model mark gone and rebuilds the model from LiveKit's present state
     * (drains and bookings come back from fleet.admin-state); region-router, whose pins and
     * reservations went with the restart, fails closed while Redis
     * is down, then finds live rooms through LiveKit's room_node_map and admits against the rebuilt model.
     */
    @Test
    void lkfleetRedisRestartsEmptyMidRunTheModelIsRebuiltAndRoutingFollowsLiveKit() throws Exception {
        String first = "dev-redis-a-" + System.nanoTime();
        String second = "dev-redis-b-" + System.nanoTime();
        List<RtcParticipants> calls = new ArrayList<>();
        try {
            // one process per participant of the first call, so bob can leave and come back alone; both
            // tokens first, as a client app asks them (alice's reservation stands until she publishes)
            JsonNode alice = E2eFleet.token(Map.of("room_name", first, "participant_identity", "alice"));
            JsonNode bobToken = E2eFleet.token(Map.of("room_name", first, "participant_identity", "bob"));
            calls.add(join(alice));
            RtcParticipants bob = join(bobToken);
            calls.add(bob);
            modelMatchesLiveKit(1);
            // the second call's tokens are issued before the outage, its clients join during it
            JsonNode carol = E2eFleet.token(Map.of("room_name", second, "participant_identity", "carol"));
            JsonNode dave = E2eFleet.token(Map.of("room_name", second, "participant_identity", "dave"));
            fleet.stopRedis("redis-fleet");
            try {
                calls.add(call(carol, dave));
                HttpResponse<String> closed = E2eFleet.requestToken(Map.of("room_name", "dev-redis-new-"
                        + System.nanoTime(), "participant_identity", "erin"));
                assertEquals(503, closed.statusCode(), "routing fails closed without its state: " + closed.body());
            } finally {
                fleet.restartRedis("redis-fleet");
            }
            long redisBack = System.nanoTime();
            modelMatchesLiveKit(2);
            System.out.printf("model rebuilt and equal to LiveKit %.1f s after lkfleet's Redis came back empty%n",
                    (System.nanoTime() - redisBack) / 1e9);
            for (String room : List.of(first, second)) {
                String region = regionOf(room);
                assertEquals(fleet.registry(region).roomNodeMap().get(room), E2eFleet.getJson(E2eFleet.url(
                        "capacity-service") + "/v1/rooms/" + room + "?region=" + region).path("node").asText(),
                        "the model has " + room + " on LiveKit's node");
            }
            bob.close();
            modelMatchesLiveKit(1);
            // The router lost its pin of the first room: it follows LiveKit's room_node_map.
            String node = fleet.registry(regionOf(first)).roomNodeMap().get(first);
            calls.add(join(E2eFleet.token(Map.of("room_name", first, "participant_identity", "bob-again"))));
            DecisionRecord decision = decision(first, "bob-again");
            assertEquals(DecisionRecord.VERSION, decision.version(), decision.toString());
            assertTrue(decision.admitted(), decision.toString());
            assertEquals("pinned", decision.reason(), decision.toString());
            assertEquals(node, decision.node(), "routed to the node the room runs on");
            modelMatchesLiveKit(2);
            // and new rooms are placed again: eu-central is full now, eu-west is not
            long asked = System.nanoTime();
            JsonNode fresh = E2eFleet.token(Map.of("room_name", "dev-redis-after-" + System.nanoTime(),
                    "participant_identity", "erin"));
            System.out.printf("a new room routed to %s in %d ms after the restart%n", fresh.path("region").asText(),
                    (System.nanoTime() - asked) / 1_000_000);
            assertEquals("eu-west", fresh.path("region").asText());
        } finally {
            calls.forEach(RtcParticipants::close);
        }
    }

    /** The region whose LiveKit runs {@code room}. */
    private static String regionOf(String room) {
        return fleet.layout().regions().keySet().stream()
                .filter(r -> fleet.registry(r).roomNodeMap().containsKey(room)).findFirst().orElseThrow();
    }

    /** participant_joined events of the two rooms in the topic, counted per identity and de-duplicated by id. */
    private static Map<String, Long> joinedOnce(String... rooms) {
        Map<String, String> identityById = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = auditor(Topics.WEBHOOKS)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && identityById.size() < 4) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = readJson(record.value());
                    if ("participant_joined".equals(event.path("event").asText())
                            && List.of(rooms).contains(event.path("room").path("name").asText())) {
                        identityById.put(event.path("id").asText(), event.path("participant").path("identity").asText());
                    }
                }
            }
        }
        return identityById.values().stream().collect(Collectors.groupingBy(i -> i, Collectors.counting()));
    }

    private static JsonNode readJson(String json) {
        try {
            return E2eFleet.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node LiveKit placed this token's room on (region-router created it there). */
    private static String routedNode(JsonNode token) throws Exception {
        String region = token.path("region").asText();
        String room = E2eFleet.JSON.readTree(Base64.getUrlDecoder().decode(token.path("participant_token").asText()
                .split("\\.")[1])).path("video").path("room").asText();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fleet.registry(region).roomNodeMap().containsKey(room));
        return fleet.registry(region).roomNodeMap().get(room);
    }

    /** One participant with camera and mic, in a process of its own. */
    private static RtcParticipants join(JsonNode token) {
        RtcParticipants one = RtcParticipants.join(List.of(spec("one", token, List.of("audio", "video"))),
                Duration.ofSeconds(20));
        assertEquals(List.of(), one.failed(), "the participant connects");
        return one;
    }

    /** alice and bob, nearer eu-central, in a 2-person camera+mic call added to {@code calls}; alice's token. */
    private static JsonNode callNearCentral(String room, List<RtcParticipants> calls) throws Exception {
        JsonNode alice = E2eFleet.token(Map.of("room_name", room, "participant_identity", "alice",
                "region_rtt_ms", NEAR_CENTRAL));
        JsonNode bob = E2eFleet.token(Map.of("room_name", room, "participant_identity", "bob",
                "region_rtt_ms", NEAR_CENTRAL));
        calls.add(call(alice, bob));
        return alice;
    }

    private static RtcParticipants call(JsonNode first, JsonNode second) {
        RtcParticipants call = RtcParticipants.join(List.of(spec("first", first, List.of("audio", "video")),
                spec("second", second, List.of("audio", "video"))), Duration.ofSeconds(20));
        assertEquals(List.of(), call.failed(), "both participants connect");
        return call;
    }

    private static RtcParticipants.Spec spec(String label, JsonNode token, List<String> publish) {
        return new RtcParticipants.Spec(label, token.path("server_url").asText(), token.path("participant_token").asText(),
                publish, true);
    }

    /** Scenario (6): the model's forwarded tracks beside LiveKit's num_tracks_out per node, equal (see {@link E2eFleet}). */
    private static void modelMatchesLiveKit(int calls) throws Exception {
        E2eFleet.modelMatchesLiveKit(fleet, calls);
    }

}
