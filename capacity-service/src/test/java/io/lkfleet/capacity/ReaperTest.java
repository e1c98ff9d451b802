package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livekit.server.RoomServiceClient;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import livekit.LivekitModels;
import org.junit.jupiter.api.Test;

/** With the reaper enabled (not dry-run), a real idle room nobody closed is deleted through LiveKit's API. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
@TestProfile(ReaperTest.LiveReaper.class)
class ReaperTest {

    public static class LiveReaper implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("capacity.reaper.enabled", "true", "capacity.reaper.dry-run", "false",
                    "capacity.guards.interval", "1s", "capacity.guards.idle-room-grace", "2s");
        }
    }

    @Test
    void deletesARealIdleRoomThroughLiveKit() throws Exception {
        FleetLayout.Region region = TestFleet.get().layout().regions().get("eu-west");
        RoomServiceClient livekit = RoomServiceClient.createClient(region.livekitUrl().replace("ws://", "http://"),
                region.apiKey(), region.apiSecret());
        String room = "forgotten-" + UUID.randomUUID();
        // LiveKit itself would only close it after 10 minutes
        assertTrue(livekit.createRoom(room, 600).execute().isSuccessful());

        await().atMost(Duration.ofSeconds(30)).until(() -> livekit.listRooms().execute().body().stream()
                .map(LivekitModels.Room::getName).noneMatch(room::equals));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().queryParam("region", "eu-west")
                .get("/v1/rooms/{room}", room).then().statusCode(404));
        given().get("/q/metrics").then().body(containsString(
                "lkfleet_capacity_reaper_actions_total{action=\"delete-room\",outcome=\"done\",region=\"eu-west\"}"));
    }
}
