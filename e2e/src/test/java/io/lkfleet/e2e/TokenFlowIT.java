package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.RtcParticipants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A join as a client app makes it: token from token-service (routed and admitted by region-router),
 * then a real WebRTC client connecting to the URL it was given.
 */
class TokenFlowIT extends FleetTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tokenFromTokenServiceJoinsTheRoutedNodeAndPublishes() throws Exception {
        String room = "dev-e2e-" + System.nanoTime();
        JsonNode alice = E2eFleet.token(Map.of("room_name", room, "participant_identity", "alice", "participant_name", "Alice",
                "region_rtt_ms", Map.of("eu-west", 90, "eu-central", 15)));
        JsonNode bob = E2eFleet.token(Map.of("room_name", room, "participant_identity", "bob",
                "region_rtt_ms", Map.of("eu-west", 5, "eu-central", 95), "grants", List.of("subscribe")));
        FleetLayout.Region central = fleet.layout().regions().get("eu-central");
        assertEquals("eu-central", alice.path("region").asText(), "routed by the client's RTT");
        assertEquals(central.livekitUrl(), alice.path("server_url").asText());
        assertEquals("eu-central", bob.path("region").asText(), "the second participant follows the room's pin");
        try (RtcParticipants rtc = RtcParticipants.join(List.of(
                new RtcParticipants.Spec("alice", alice.path("server_url").asText(),
                        alice.path("participant_token").asText(), List.of("audio", "video"), true),
                new RtcParticipants.Spec("bob", bob.path("server_url").asText(), bob.path("participant_token").asText(),
                        List.of(), true)), Duration.ofSeconds(20))) {
            assertEquals(List.of(), rtc.failed(), "LiveKit accepts tokens from token-service");
            assertTrue(fleet.registry("eu-central").roomNodeMap().containsKey(room));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> rtc.stats().get(1).path("tracksWithMedia").asInt() == 2);
        }
    }

    @Test
    void aTokenCannotBeBentToAnotherRoomOrAGrantItLacks() throws Exception {
        String room = "dev-e2e-bent-" + System.nanoTime();
        JsonNode bob = E2eFleet.token(Map.of("room_name", room, "participant_identity", "bob", "grants", List.of("subscribe")));
        String forged = rewriteClaims(bob.path("participant_token").asText(),
                claims -> claims.replace("\"" + room + "\"", "\"dev-other-room\""));
        try (RtcParticipants rtc = RtcParticipants.join(List.of(new RtcParticipants.Spec("forged",
                bob.path("server_url").asText(), forged, List.of(), true)), Duration.ofSeconds(10))) {
            assertEquals(1, rtc.failed().size(), "LiveKit refuses a token whose room was changed");
        }
        try (RtcParticipants rtc = RtcParticipants.join(List.of(new RtcParticipants.Spec("bob",
                bob.path("server_url").asText(), bob.path("participant_token").asText(), List.of("audio"), true)),
                Duration.ofSeconds(10))) {
            assertEquals(1, rtc.failed().size(), "a subscribe-only token cannot publish");
        }
    }

    @Test
    void livekitRefusesAnExpiredToken() throws Exception {
        // Our tokens live at least 60 s and LiveKit allows a minute of clock skew, so the expired token
        // is minted here, for a room token-service routed, with the region's key, 5 minutes in the past.
        String room = "dev-e2e-expired-" + System.nanoTime();
        JsonNode routed = E2eFleet.token(Map.of("room_name", room, "participant_identity", "dave"));
        FleetLayout.Region region = fleet.layout().regions().get(routed.path("region").asText());
        io.livekit.server.AccessToken expired = new io.livekit.server.AccessToken(region.apiKey(), region.apiSecret());
        expired.setIdentity("dave");
        expired.setNotBefore(new java.util.Date(System.currentTimeMillis() - 900_000));
        expired.setExpiration(new java.util.Date(System.currentTimeMillis() - 300_000));
        expired.addGrants(new io.livekit.server.RoomJoin(true), new io.livekit.server.RoomName(room));
        try (RtcParticipants rtc = RtcParticipants.join(List.of(new RtcParticipants.Spec("expired",
                routed.path("server_url").asText(), expired.toJwt(), List.of(), true)), Duration.ofSeconds(10))) {
            assertEquals(1, rtc.failed().size(), "LiveKit refuses an expired token");
        }
    }

    @Test
    void livekitsOwnNodeSdkVerifiesTheTokenAndSeesTheGrants() throws Exception {
        String room = "dev-e2e-verify-" + System.nanoTime();
        JsonNode response = E2eFleet.token(Map.of("room_name", room, "participant_identity", "carol", "participant_name", "Carol",
                "participant_attributes", Map.of("team", "blue"), "grants", List.of("subscribe", "publish-data"),
                "region_rtt_ms", Map.of("eu-west", 5)));
        FleetLayout.Region region = fleet.layout().regions().get(response.path("region").asText());
        JsonNode claims = verifyWithNodeSdk(region, response.path("participant_token").asText());
        assertEquals("carol", claims.path("sub").asText());
        assertEquals("Carol", claims.path("name").asText());
        assertEquals("blue", claims.path("attributes").path("team").asText());
        JsonNode video = claims.path("video");
        assertEquals(room, video.path("room").asText());
        assertTrue(video.path("roomJoin").asBoolean());
        assertEquals(false, video.path("canPublish").asBoolean(true));
        assertTrue(video.path("canSubscribe").asBoolean());
        assertTrue(video.path("canPublishData").asBoolean());
        // The Java SDK writes the proto field name; LiveKit reads roomConfig with protojson, which accepts it.
        assertTrue(claims.path("roomConfig").path("max_participants").asInt() > 0, "room config carries what fits");
    }

    private static String rewriteClaims(String jwt, java.util.function.UnaryOperator<String> change) {
        String[] parts = jwt.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(change.apply(claims).getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private static JsonNode verifyWithNodeSdk(FleetLayout.Region region, String token) throws IOException,
            InterruptedException {
        Process node = new ProcessBuilder("node", new LocalFleet.Options().repoRoot()
                .resolve("tools/rtc-client/verify-token.mjs").toString()).redirectErrorStream(true).start();
        node.getOutputStream().write(JSON.writeValueAsBytes(Map.of("apiKey", region.apiKey(), "apiSecret",
                region.apiSecret(), "token", token)));
        node.getOutputStream().close();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, node.waitFor(), out);
        return JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
    }
}
