package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.testing.RtcParticipants;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
                JsonNode alice = E2eFleet.token(Map.of("room_name", room, "participant_identity", "alice",
                        "region_rtt_ms", NEAR_CENTRAL));
                JsonNode bob = E2eFleet.token(Map.of("room_name", room, "participant_identity", "bob",
                        "region_rtt_ms", NEAR_CENTRAL));
                regions.add(alice.path("region").asText());
                calls.add(call(alice, bob));
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

    private static void drain(String nodeId, boolean on) throws Exception {
        String url = E2eFleet.url("region-router") + "/v1/admin/nodes/" + nodeId + "/drain";
        HttpResponse<String> response = on ? E2eFleet.post(url, Map.of(), Map.of())
                : E2eFleet.send(HttpRequest.newBuilder(URI.create(url)).DELETE());
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

    /** participant_joined events of the two rooms in the topic, counted per identity and de-duplicated by id. */
    private static Map<String, Long> joinedOnce(String... rooms) {
        Properties props = new Properties();
        props.put("bootstrap.servers", fleet.layout().kafkaBootstrap());
        props.put("group.id", "scenario-audit-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        Map<String, String> identityById = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.WEBHOOKS));
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

    /**
     * Scenario (6): per node, the model's forwarded tracks (from webhooks) beside LiveKit's measured
     * num_tracks_out, printed; they must agree once media flows, and add up to what the calls forward
     * (a 2-person camera+mic call forwards 4 tracks).
     */
    private static void modelMatchesLiveKit(int calls) throws Exception {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                List<JsonNode> nodes = E2eFleet.nodes();
                long model = nodes.stream().mapToLong(n -> n.path("subscriptions").asLong()).sum();
                return model == 4L * calls && nodes.stream().allMatch(n -> n.path("subscriptions").asLong()
                        == n.path("measured").path("numTracksOut").asLong());
            });
        } finally {
            System.out.printf("%-18s %-11s %14s %20s%n", "node", "region", "model tracks", "LiveKit tracks_out");
            for (JsonNode n : E2eFleet.nodes()) {
                System.out.printf("%-18s %-11s %14d %20d%n", n.path("id").asText(), n.path("region").asText(),
                        n.path("subscriptions").asLong(), n.path("measured").path("numTracksOut").asLong());
            }
        }
    }

}
