package io.lkfleet.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LiveKitNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A web app joins the way client apps do, with the SDK they call token-service from: livekit-client in
 * headless Chromium ({@code tools/browser/web-call.mjs}) asks token-service for a token with
 * {@code TokenSource.endpoint} and the dev tenant's credential header, cross-origin from the app's own
 * loopback origin (allowed by the fleet's {@code browser-origins}), joins the LiveKit node it names with
 * no ICE servers, and publishes Chromium's fake camera and microphone; a second page of the app in the
 * same room receives the camera, straight from that node's RTC port.
 */
class BrowserJoinIT extends ObservedTest {

    @Test
    void aWebPageJoinsThroughTheTokenEndpointAndAnotherReceivesItsCamera() throws Exception {
        String room = "dev-web-" + System.nanoTime();
        try (BrowserScript app = BrowserScript.start("web-call.mjs", Map.of(
                "TOKEN_URL", ObservedFleet.url("token-service") + "/v1/token",
                "CREDENTIAL", "Bearer " + ObservedFleet.DEV_KEY))) {
            assertTrue(app.ready().path("origin").asText().startsWith("http://127.0.0.1:"), app.ready().toString());
            JsonNode alice = app.ask(BrowserScript.command("join").put("identity", "alice").put("room", room)
                    .put("publish", true)).path("joined");
            Set<String> livekit = fleet.nodes().values().stream().map(n -> n.spec().url())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(livekit.contains(alice.path("serverUrl").asText()), alice + " joins one of " + livekit);
            assertEquals(room, alice.path("room").asText());
            JsonNode bob = app.ask(BrowserScript.command("join").put("identity", "bob").put("room", room)
                    .put("publish", false)).path("joined");
            assertEquals(alice.path("serverUrl").asText(), bob.path("serverUrl").asText(), "one room, one region");

            JsonNode video = app.ask(BrowserScript.command("awaitVideo").put("identity", "bob").put("from", "alice")
                    .put("frames", 30)).path("video");
            assertTrue(video.path("framesDecoded").asLong() >= 30, video.toString());
            // the fake camera published at 360p, without simulcast
            assertEquals(640, video.path("width").asInt(), video.toString());
            assertEquals(360, video.path("height").asInt(), video.toString());
            Set<String> subscribed = new TreeSet<>();
            video.path("subscribed").forEach(k -> subscribed.add(k.asText()));
            assertEquals(new TreeSet<>(List.of("audio", "video")), subscribed, video.toString());
            // the model counts both pages on the room's node (the webhooks of a browser join are no different)
            String roomUrl = ObservedFleet.url("capacity-service") + "/v1/rooms/" + room;
            JsonNode counted = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> ObservedFleet.getJson(roomUrl),
                            r -> r.path("participants").asInt() == 2 && !r.path("node").asText().isEmpty());
            LiveKitNode node = fleet.nodes().values().stream()
                    .filter(n -> n.nodeId().equals(counted.path("node").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no live node " + counted));
            // the media came straight from that node's own RTC port on loopback: no STUN, no TURN, no relay
            JsonNode from = video.path("from");
            assertEquals(FleetLayout.HOST, from.path("address").asText(), video.toString());
            assertTrue(from.path("port").asInt() == node.spec().rtcUdpPort()
                    || from.path("port").asInt() == node.spec().rtcTcpPort(), video + " from " + node.spec());
        }
    }
}
