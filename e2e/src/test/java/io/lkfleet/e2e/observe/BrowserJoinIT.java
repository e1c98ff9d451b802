package io.lkfleet.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A web app joins the way client apps do, with the SDK they call token-service from: livekit-client in
 * headless Chromium ({@code tools/browser/web-call.mjs}) asks token-service for a token with
 * {@code TokenSource.endpoint} and the dev tenant's credential header, cross-origin from the app's own
 * loopback origin (allowed by the fleet's {@code browser-origins}), joins the LiveKit node it names with
 * no ICE servers, and publishes Chromium's fake camera and microphone; a second page of the app in the
 * same room receives the camera.
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
            assertEquals(alice.path("serverUrl").asText(), bob.path("serverUrl").asText(), "one room, one node");

            JsonNode video = app.ask(BrowserScript.command("awaitVideo").put("identity", "bob").put("from", "alice")
                    .put("frames", 30)).path("video");
            assertTrue(video.path("framesDecoded").asLong() >= 30, video.toString());
            // the fake camera published at 360p, without simulcast
            assertEquals(640, video.path("width").asInt(), video.toString());
            assertEquals(360, video.path("height").asInt(), video.toString());
            Set<String> subscribed = new TreeSet<>();
            video.path("subscribed").forEach(k -> subscribed.add(k.asText()));
            assertEquals(new TreeSet<>(List.of("audio", "video")), subscribed, video.toString());
        }
    }
}
