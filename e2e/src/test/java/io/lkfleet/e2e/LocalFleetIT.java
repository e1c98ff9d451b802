package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.livekit.server.AccessToken;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.RtcParticipants;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole one-machine fleet, started by the same launcher as `deploy/local/fleet up`. */
class LocalFleetIT {
    private static LocalFleet fleet;

    @BeforeAll
    static void startFleet() {
        fleet = E2eFleet.fleet();
    }

    @Test
    void everyServiceIsReadyAndServesMetricsAndOpenApi() throws Exception {
        for (String service : LocalFleet.SERVICES) {
            String base = fleet.layout().services().get(service).url();
            assertEquals(200, E2eFleet.get(base + "/q/health/ready").statusCode(), service + " readiness");
            assertEquals(200, E2eFleet.get(base + "/q/health/live").statusCode(), service + " liveness");
            HttpResponse<String> metrics = E2eFleet.get(base + "/q/metrics");
            assertEquals(200, metrics.statusCode(), service + " metrics");
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), service + " exports JVM metrics");
            assertTrue(E2eFleet.get(base + "/q/openapi").body().contains("openapi"),
                    service + " serves its OpenAPI document");
        }
    }

    @Test
    void everyLiveKitNodeServesInTheRegistryOfItsOwnRegionOnly() {
        assertEquals(4, fleet.nodes().size());
        for (String region : fleet.layout().regions().keySet()) {
            List<RegisteredNode> registered = fleet.registry(region).nodes();
            Set<String> expected = fleet.nodes().values().stream().filter(n -> n.region().equals(region))
                    .map(LiveKitNode::nodeId).collect(Collectors.toSet());
            assertEquals(expected, registered.stream().map(RegisteredNode::id).collect(Collectors.toSet()),
                    "nodes registered in region " + region);
            long now = System.currentTimeMillis() / 1000;
            registered.forEach(node -> assertTrue(node.takesNewRooms(now), node.id() + " is alive and serving"));
        }
    }

    @Test
    void realWebRtcParticipantsJoinPublishAndReceiveMedia() {
        FleetLayout.Region region = fleet.layout().regions().get("eu-west");
        String room = "foundation-" + System.nanoTime();
        List<RtcParticipants.Spec> specs = List.of(
                new RtcParticipants.Spec("publisher", region.livekitUrl(), token(region, room, "alice"),
                        List.of("audio", "video"), true),
                new RtcParticipants.Spec("subscriber", region.livekitUrl(), token(region, room, "bob"), List.of(), true));
        try (RtcParticipants rtc = RtcParticipants.join(specs, Duration.ofSeconds(20))) {
            assertEquals(List.of(), rtc.failed(), "every participant connects");
            assertEquals(2, rtc.joined().size());
            assertTrue(fleet.registry("eu-west").roomNodeMap().containsKey(room), "LiveKit pinned the room to a node");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
                JsonNode subscriber = rtc.stats().get(1);
                return subscriber.path("subscribed").path("video").asInt() == 1
                        && subscriber.path("subscribed").path("audio").asInt() == 1
                        && subscriber.path("tracksWithMedia").asInt() == 2;
            });
        }
    }

    private static String token(FleetLayout.Region region, String room, String identity) {
        AccessToken token = new AccessToken(region.apiKey(), region.apiSecret());
        token.setIdentity(identity);
        token.setTtl(600_000L);
        token.addGrants(new RoomJoin(true), new RoomName(room));
        return token.toJwt();
    }
}
