package io.lkfleet.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livekit.server.AccessToken;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.testing.RtcParticipants;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shipped alert rules fire on the real conditions they describe and resolve once those end,
 * evaluated by a real Prometheus scraping the real processes (only every {@code for:} is shortened,
 * see {@link ObservedFleet}). WebhookRejects, whose resolution takes its rule's 5-minute window, runs
 * beside the other observe tests in {@link WebhookRejectsIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsIT extends ObservedTest {
    @Test
    @Order(1)
    void killedLiveKitNodeFiresLiveKitNodeDownUntilItRunsAgain() {
        // not the node whose URL is the region's signalling address
        LiveKitNode node = fleet.nodes().values().stream()
                .filter(n -> !n.spec().url().equals(fleet.layout().regions().get(n.region()).livekitUrl()))
                .findFirst().orElseThrow();
        String instance = FleetLayout.HOST + ":" + node.spec().prometheusPort();
        node.kill();
        awaitAlert("LiveKitNodeDown", "firing", Map.of("instance", instance, "region", node.region()), FIRES_WITHIN);
        fleet.startNode(node.spec().name());
        awaitAlert("LiveKitNodeDown", "inactive", Map.of("instance", instance), FIRES_WITHIN);
    }

    @Test
    @Order(2)
    void nodeFilledOutsideAdmissionFiresNodeHeadroomBelowPolicy() throws Exception {
        // A room LiveKit makes by itself (tokens signed with the region's key, not from token-service):
        // 4 people with camera and microphone forward 24 tracks, past the node's admission limit of 19.
        FleetLayout.Region region = fleet.layout().regions().values().iterator().next();
        String room = "rogue-" + System.nanoTime();
        List<RtcParticipants.Spec> specs = new ArrayList<>();
        for (String identity : List.of("p1", "p2", "p3", "p4")) {
            AccessToken token = new AccessToken(region.apiKey(), region.apiSecret());
            token.setIdentity(identity);
            token.setTtl(600_000L);
            token.addGrants(new RoomJoin(true), new RoomName(room));
            specs.add(new RtcParticipants.Spec(identity, region.livekitUrl(), token.toJwt(), List.of("audio", "video"),
                    true));
        }
        String node;
        try (RtcParticipants rogue = RtcParticipants.join(specs, Duration.ofSeconds(30))) {
            assertEquals(List.of(), rogue.failed());
            node = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> roomField(room, "node"), n -> !n.isEmpty());
            awaitAlert("NodeHeadroomBelowPolicy", "firing", Map.of("node", node, "region", region.name()), FIRES_WITHIN);
        }
        awaitAlert("NodeHeadroomBelowPolicy", "inactive", Map.of("node", node), FIRES_WITHIN);
    }

    @Test
    @Order(3)
    void refusedJoinsFireAdmissionRefusalsRisingUntilAdmissionsOutweighThem() throws Exception {
        String full = "dev-refusals-" + System.nanoTime();
        String router = ObservedFleet.url("region-router") + "/v1/route";
        String region = null;
        int decisions = 0;
        // one room on one node: publishers join until the node is full, then each further one is refused
        for (int i = 0, refused = 0; refused < 12; i++, decisions++) {
            HttpResponse<String> response = route(router, full, "publisher-" + i);
            if (response.statusCode() == 200) {
                region = ObservedFleet.JSON.readTree(response.body()).path("region").asText();
            } else {
                // the room outgrows one node (409), or the probe's room on its node leaves it full (503)
                assertTrue(response.statusCode() == 409 && response.body().contains("room-exceeds-node")
                        || response.statusCode() == 503 && response.body().contains("node-full"), response.body());
                refused++;
            }
        }
        // volume past the rule's floor (0.1 decisions/s over 10 min): a viewer of another room of the
        // region, on a node with room left, asking again (each answer refreshes its one reservation)
        String other = "dev-admitted-" + System.nanoTime();
        assertEquals(region, admit(router, other));
        for (decisions++; decisions < 100; decisions++) {
            admit(router, other);
        }
        awaitAlert("AdmissionRefusalsRising", "firing", Map.of("region", region), FIRES_WITHIN);
        for (int i = 0; i < 200; i++) {
            admit(router, other);
        }
        awaitAlert("AdmissionRefusalsRising", "inactive", Map.of("region", region), FIRES_WITHIN);
    }

    @Test
    @Order(4)
    void stoppedCapacityServiceFiresCapacityConsumerStalledUntilItAppliesAgain() throws Exception {
        fleet.services().get("capacity-service").stop(Duration.ofSeconds(20));
        // a room opened meanwhile: LiveKit's room_started reaches Kafka through webhook-ingest, unapplied
        String room = "dev-stalled-" + System.nanoTime();
        admit(ObservedFleet.url("region-router") + "/v1/route", room);
        awaitAlert("CapacityConsumerStalled", "firing", Map.of(), FIRES_WITHIN);
        fleet.restartInstance("capacity-service");
        awaitAlert("CapacityConsumerStalled", "inactive", Map.of(), FIRES_WITHIN);
        // what webhook-ingest acknowledged while capacity-service was down is applied now (the room's sid
        // comes only from LiveKit's room_started; the node could come from LiveKit's registry alone)
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> roomField(room, "sid"), sid -> sid.startsWith("RM_"));
    }

    private static HttpResponse<String> route(String url, String room, String identity) throws Exception {
        return route(url, room, identity, "publisher");
    }

    /** Routes one viewer of {@code room}, which must be admitted; returns the region. */
    private static String admit(String url, String room) throws Exception {
        HttpResponse<String> response = route(url, room, "viewer", "subscriber");
        assertEquals(200, response.statusCode(), response.body());
        return ObservedFleet.JSON.readTree(response.body()).path("region").asText();
    }

    private static HttpResponse<String> route(String url, String room, String identity, String role) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + fleet.serviceProperties().get("router.caller-token"))
                .POST(HttpRequest.BodyPublishers.ofString(ObservedFleet.JSON.writeValueAsString(Map.of("tenant", "dev",
                        "room", room, "identity", identity, "role", role))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Field {@code field} of capacity-service's view of {@code room}; empty while it knows no such room. */
    private static String roomField(String room, String field) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                ObservedFleet.url("capacity-service") + "/v1/rooms/" + room)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? ObservedFleet.JSON.readTree(response.body()).path(field).asText() : "";
    }
}
