package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livekit.server.AccessToken;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.livekit.server.RoomServiceClient;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Real WebRTC participants of a known shape in a room pinned to one real node: LiveKit's webhooks
 * (relayed onto the topic) make the model's room and node subscriptions equal the shape's
 * arithmetic; LiveKit's own num_tracks_out for the node is printed beside it.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class RealTrafficTest {
    static final String REGION = "eu-west";
    static final String NODE = "eu-west-a";

    @Inject
    CapacityModel model;

    @Test
    void realParticipantsOfAKnownShapeGiveTheShapesSubscriptions() throws Exception {
        // 3 participants publishing camera+mic and 2 who only watch: 3×4 video + 3×4 audio = 24 forwarded tracks
        RoomShape shape = new RoomShape(5, 3, 0);
        RoomCost cost = model.cost(shape);
        LiveKitNode node = TestFleet.get().node(NODE);
        FleetLayout.Region region = TestFleet.get().layout().regions().get(REGION);
        String room = roomOn(node, region, "rtc-");

        List<RtcParticipants.Spec> specs = new ArrayList<>();
        for (int i = 0; i < shape.participants(); i++) {
            boolean publishes = i < shape.publishers();
            specs.add(new RtcParticipants.Spec((publishes ? "pub" : "sub") + i, node.spec().url(),
                    token(region, room, "p" + i), publishes ? List.of("audio", "video") : List.of(), true));
        }
        try (RtcParticipants participants = RtcParticipants.join(specs, Duration.ofSeconds(30))) {
            assertEquals(shape.participants(), participants.joined().size(), "failed: " + participants.failed());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("region", REGION)
                    .get("/v1/rooms/{room}", room).then().statusCode(200)
                    .body("node", equalTo(node.nodeId()))
                    .body("participants", equalTo(shape.participants()))
                    .body("publishers", equalTo(shape.publishers()))
                    .body("subscriptions.video", equalTo((int) cost.videoSubscriptions()))
                    .body("subscriptions.audio", equalTo((int) cost.audioSubscriptions()))
                    .body("totalSubscriptions", equalTo((int) cost.subscriptions()))
                    .body("nodeLoad.modelSubscriptions", equalTo((int) cost.subscriptions())));
            // LiveKit rewrites its node stats every 2 s: give them time to settle, then show both side by side
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> roomView(room).getInt("nodeLoad.measuredTracksOut")
                        == cost.subscriptions());
            } catch (ConditionTimeoutException e) {
                System.out.println("LiveKit's num_tracks_out did not reach the model's count within 10 s");
            }
            JsonPath view = roomView(room);
            assertTrue(view.getInt("nodeLoad.measuredTracksOut") > 0, "LiveKit reports forwarding on the node");
            System.out.printf("room %s shape %s: model %d forwarded tracks (video %d, audio %d) on node %s; "
                    + "LiveKit num_tracks_out %d; egress estimate %d kbit/s%n", room, shape,
                    view.getInt("totalSubscriptions"), view.getInt("subscriptions.video"),
                    view.getInt("subscriptions.audio"), NODE, view.getInt("nodeLoad.measuredTracksOut"),
                    view.getInt("egressKbps"));
        }
    }

    /**
     * lkfleet's Redis restarts empty (no persistence) while a real call runs: capacity-service
     * notices its model mark is gone, rebuilds the region from the topic, and the registry poller
     * puts the room back on its node, so the model equals LiveKit's truth again.
     */
    @Test
    void aRoomComesBackOnItsNodeAfterLkfleetsRedisRestartsEmpty() throws Exception {
        LiveKitNode node = TestFleet.get().node(NODE);
        FleetLayout.Region region = TestFleet.get().layout().regions().get(REGION);
        String room = roomOn(node, region, "rtc-restart-");
        // a 2-person camera+mic call: 2 video + 2 audio forwarded tracks
        List<RtcParticipants.Spec> specs = List.of(
                new RtcParticipants.Spec("a", node.spec().url(), token(region, room, "a"), List.of("audio", "video"), true),
                new RtcParticipants.Spec("b", node.spec().url(), token(region, room, "b"), List.of("audio", "video"), true));
        try (RtcParticipants call = RtcParticipants.join(specs, Duration.ofSeconds(30))) {
            assertEquals(List.of(), call.failed());
            awaitOnNode(room, node.nodeId(), 4);
            double before = rebuilds();
            TestFleet.get().stopRedis("redis-fleet");
            TestFleet.get().restartRedis("redis-fleet");
            long restarted = System.nanoTime();
            awaitOnNode(room, node.nodeId(), 4);
            System.out.printf("model of room %s back on node %s %.1f s after lkfleet's Redis restarted empty%n", room,
                    NODE, (System.nanoTime() - restarted) / 1e9);
            await().atMost(Duration.ofSeconds(5)).until(() -> rebuilds() > before); // counted once it returned
        }
    }

    /** A new room LiveKit pins to {@code node}. */
    static String roomOn(LiveKitNode node, FleetLayout.Region region, String prefix) throws Exception {
        String room = prefix + UUID.randomUUID();
        RoomServiceClient rooms = RoomServiceClient.createClient(node.spec().url().replace("ws://", "http://"),
                region.apiKey(), region.apiSecret());
        assertTrue(rooms.createRoom(room, 60, null, node.nodeId()).execute().isSuccessful());
        return room;
    }

    /** Waits until the model counts {@code room} with {@code subscriptions} on {@code nodeId}, and the node with them. */
    static void awaitOnNode(String room, String nodeId, int subscriptions) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("region", REGION)
                .get("/v1/rooms/{room}", room).then().statusCode(200)
                .body("node", equalTo(nodeId))
                .body("lost", equalTo(false))
                .body("totalSubscriptions", equalTo(subscriptions))
                .body("nodeLoad.modelSubscriptions", equalTo(subscriptions)));
    }

    private static double rebuilds() {
        return given().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("lkfleet_capacity_model_rebuilds_total{") && l.contains("region=\"" + REGION + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static JsonPath roomView(String room) {
        return given().queryParam("region", REGION).get("/v1/rooms/{room}", room).then().statusCode(200)
                .extract().jsonPath();
    }

    static String token(FleetLayout.Region region, String room, String identity) {
        AccessToken token = new AccessToken(region.apiKey(), region.apiSecret());
        token.setIdentity(identity);
        token.addGrants(new RoomJoin(true), new RoomName(room));
        return token.toJwt();
    }
}
