package io.lkfleet.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.local.testing.RtcParticipants;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The fleet console (capacity-service's {@code /console/}) in headless Chromium against the live
 * fleet: it shows every node of every region, a real WebRTC call moves its node's bar, the sizing form
 * answers as the API does, and a drain typed into the page with the admin token reaches region-router
 * and shows on the page. Leaves a screenshot of the loaded console in {@code target/console.png}.
 */
class ConsoleIT extends ObservedTest {

    @Test
    void consoleShowsTheLiveFleetAClientsLoadAndADrain() throws Exception {
        String capacity = ObservedFleet.url("capacity-service");
        String room = "dev-console-" + System.nanoTime();
        try (BrowserScript page = BrowserScript.start("console.mjs", Map.of("CONSOLE_URL", capacity + "/console/"));
                RtcParticipants call = ObservedFleet.call(room, "alice", "bob", "carol")) {
            Set<String> shown = new HashSet<>();
            page.ready().path("nodes").forEach(n -> {
                if (!"GONE".equals(n.path("state").asText())) {
                    shown.add(n.path("id").asText());
                }
            });
            Set<String> live = new HashSet<>();
            fleet.nodes().values().forEach(n -> live.add(n.nodeId()));
            assertEquals(live, shown, "the page shows every LiveKit node of every region");
            assertEquals(List.of(), call.failed(), "the call connects");

            // 3 people with camera and microphone: 3 x 2 others x 2 tracks = 12 subscriptions on one node
            JsonNode node = page.ask(BrowserScript.command("awaitRoom").put("room", room).put("subscriptions", 12))
                    .path("node");
            assertTrue(node.path("subscriptions").asLong() >= 12, node.toString());
            assertEquals(100.0 * Math.min(node.path("limit").asLong(), node.path("subscriptions").asLong())
                    / node.path("limit").asLong(), node.path("barPercent").asDouble(), 0.01, "the bar is the model's load");
            assertTrue(node.path("text").asText().contains("LiveKit measured"), node.toString());
            Path screenshot = Path.of("target", "console.png").toAbsolutePath();
            page.ask(BrowserScript.command("screenshot").put("path", screenshot.toString()));
            assertTrue(Files.size(screenshot) > 10_000, "a real screenshot");

            JsonNode sizing = page.ask(BrowserScript.command("sizing").put("participants", 1000)).path("sizing");
            JsonNode api = ObservedFleet.getJson(capacity + "/v1/sizing?participants=1000&rooms=4:0.6,10:0.3,50:0.1"
                    + "&publish-share=1&node-class=standard");
            assertTrue(sizing.path("nodes needed").asText().startsWith(api.path("nodes").asText() + " "), sizing.toString());

            String drained = node.path("id").asText();
            JsonNode refused = page.ask(BrowserScript.command("drain").put("node", drained).put("token", "not-the-token"));
            assertTrue(refused.path("message").path("error").asBoolean(), refused.toString());
            assertTrue(refused.path("message").path("text").asText().contains("the admin token was refused"),
                    refused.toString());
            assertFalse(routerSaysDraining(drained), "a wrong token drains nothing");
            JsonNode answer = page.ask(BrowserScript.command("drain").put("node", drained).put("token", adminToken()));
            assertFalse(answer.path("message").path("error").asBoolean(), answer.toString());
            assertTrue(answer.path("node").path("draining").asBoolean(), answer.toString());
            assertTrue(routerSaysDraining(drained), "region-router has the drain the page sent");
            undrain(drained);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (JsonNode n : page.ask(BrowserScript.command("nodes")).path("nodes")) {
                    if (n.path("id").asText().equals(drained)) {
                        return !n.path("draining").asBoolean();
                    }
                }
                return false;
            });
        }
    }

    /** The admin credential region-router runs with in this fleet (random per test JVM). */
    private static String adminToken() {
        return fleet.serviceProperties().get("router.admin-token");
    }

    private static boolean routerSaysDraining(String nodeId) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                ObservedFleet.url("region-router") + "/v1/admin/nodes")).header("Authorization", "Bearer " + adminToken())
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        for (JsonNode n : ObservedFleet.JSON.readTree(response.body())) {
            if (n.path("node_id").asText().equals(nodeId)) {
                return n.path("draining").asBoolean();
            }
        }
        throw new AssertionError("region-router does not know node " + nodeId);
    }

    private static void undrain(String nodeId) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                ObservedFleet.url("region-router") + "/v1/admin/nodes/" + nodeId + "/drain"))
                .header("Authorization", "Bearer " + adminToken()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }
}
