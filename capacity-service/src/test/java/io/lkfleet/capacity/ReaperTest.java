package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livekit.server.AccessToken;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.livekit.server.RoomServiceClient;
import io.lkfleet.capacity.listener.WebhookParser;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import livekit.LivekitModels;
import org.junit.jupiter.api.Test;

/**
 * With the reaper enabled (not dry-run), against real LiveKit: a real idle room nobody closed is
 * deleted through LiveKit's API, while a room with only reservations, and a room the model thinks
 * empty but LiveKit still has a participant in, are kept (issue 14.5).
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
@TestProfile(ReaperTest.LiveReaper.class)
class ReaperTest {
    static final String REGION = "eu-west";

    public static class LiveReaper implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("capacity.reaper.enabled", "true", "capacity.reaper.dry-run", "false",
                    "capacity.guards.interval", "1s", "capacity.guards.idle-room-grace", "2s");
        }
    }

    @Inject
    LoadStore store;
    @Inject
    WebhookParser parser;
    @Inject
    RedisDataSource redis;

    @Test
    void deletesOnlyRoomsLiveKitConfirmsEmptyAndNobodyReserved() throws Exception {
        FleetLayout.Region region = TestFleet.get().layout().regions().get(REGION);
        RoomServiceClient livekit = RoomServiceClient.createClient(region.livekitUrl().replace("ws://", "http://"),
                region.apiKey(), region.apiSecret());
        String reserved = "reserved-" + UUID.randomUUID();
        String busy = "busy-" + UUID.randomUUID();
        String forgotten = "forgotten-" + UUID.randomUUID();
        // LiveKit itself would only close them after 10 minutes
        assertTrue(livekit.createRoom(reserved, 600).execute().isSuccessful());
        // a join region-router admitted, as admit.lua writes it; the participant is still on its way
        redis.sortedSet(String.class).zadd(RedisKeys.room(REGION, reserved) + RedisKeys.RESERVATIONS,
                System.currentTimeMillis() + 600_000, "rsv_1|late-comer|S|0|0|ND_any");
        try (RtcParticipants call = RtcParticipants.join(List.of(new RtcParticipants.Spec("watcher",
                region.livekitUrl(), token(region, busy, "watcher"), List.of(), true)), Duration.ofSeconds(30))) {
            assertEquals(List.of(), call.failed());
            // the model misses the participant (say its webhook is behind): empty for an hour by the model
            String participant = await().atMost(Duration.ofSeconds(30)).until(() -> redis.hash(String.class)
                    .hgetall(RedisKeys.roomParticipants(REGION, busy)).keySet().stream().findFirst().orElse(null),
                    sid -> sid != null);
            store.apply(parser.parse(REGION, "{\"event\":\"participant_left\",\"room\":{\"sid\":\""
                    + store.room(REGION, busy).get("sid") + "\",\"name\":\"" + busy + "\"},\"participant\":{\"sid\":\""
                    + participant + "\",\"identity\":\"watcher\"},\"id\":\"EV_" + UUID.randomUUID()
                    + "\",\"createdAt\":\"" + (System.currentTimeMillis() / 1000 - 3600) + "\"}"))
                    .await().atMost(Duration.ofSeconds(5));
            assertEquals("0", store.room(REGION, busy).get("participants"));

            assertTrue(livekit.createRoom(forgotten, 600).execute().isSuccessful());
            // the forgotten room became idle after the other two: once it is gone, they were judged too
            await().atMost(Duration.ofSeconds(30)).until(() -> !liveRooms(livekit).contains(forgotten));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().queryParam("region", REGION)
                    .get("/v1/rooms/{room}", forgotten).then().statusCode(404));
            List<String> left = liveRooms(livekit);
            assertTrue(left.contains(reserved), "a room with a live reservation is kept");
            assertTrue(left.contains(busy), "a room LiveKit has a participant in is kept");
            assertEquals(1, livekit.listParticipants(busy).execute().body().size());
        }
        given().get("/q/metrics").then().body(containsString(
                "lkfleet_capacity_reaper_actions_total{action=\"delete-room\",outcome=\"done\",region=\"eu-west\"}"))
                .body(containsString("lkfleet_capacity_reaper_actions_total{action=\"delete-room\","
                        + "outcome=\"not-confirmed\",region=\"eu-west\"}"));
    }

    private static List<String> liveRooms(RoomServiceClient livekit) throws Exception {
        return livekit.listRooms().execute().body().stream().map(LivekitModels.Room::getName).toList();
    }

    private static String token(FleetLayout.Region region, String room, String identity) {
        AccessToken token = new AccessToken(region.apiKey(), region.apiSecret());
        token.setIdentity(identity);
        token.addGrants(new RoomJoin(true), new RoomName(room));
        return token.toJwt();
    }
}
