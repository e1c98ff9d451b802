package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livekit.server.RoomServiceClient;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A real livekit-server node killed mid-run: the model marks it gone and its rooms lost within 10 s. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class NodeLivenessTest {
    /** This test kills the node; the other tests of the JVM stay in eu-west. */
    static final String REGION = "eu-central";
    static final String VICTIM = "eu-central-b";

    @Test
    void killedNodeIsMarkedGoneAndItsRoomsLostWithinTenSeconds() throws Exception {
        LocalFleet fleet = TestFleet.get();
        LiveKitNode node = fleet.node(VICTIM);
        String nodeId = node.nodeId();
        FleetLayout.Region region = fleet.layout().regions().get(REGION);
        RoomServiceClient rooms = RoomServiceClient.createClient(node.spec().url().replace("ws://", "http://"),
                region.apiKey(), region.apiSecret());
        String room = "pinned-" + UUID.randomUUID();
        assertTrue(rooms.createRoom(room, 300, null, nodeId).execute().isSuccessful());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().queryParam("region", REGION)
                .get("/v1/rooms/{room}", room).then().statusCode(200)
                .body("node", equalTo(nodeId)).body("lost", equalTo(false)));
        given().get("/v1/nodes/{id}", nodeId).then().statusCode(200).body("state", equalTo("SERVING"))
                .body("rooms", equalTo(1));

        long killed = System.nanoTime();
        node.kill();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            given().get("/v1/nodes/{id}", nodeId).then().statusCode(200).body("state", equalTo("GONE"))
                    .body("rooms", equalTo(0)).body("subscriptions", equalTo(0));
            given().queryParam("region", REGION).get("/v1/rooms/{room}", room).then().statusCode(200)
                    .body("lost", equalTo(true));
        });
        System.out.printf("node %s (%s) marked gone and its room lost %d ms after SIGKILL%n", VICTIM, nodeId,
                (System.nanoTime() - killed) / 1_000_000);
        given().get("/v1/regions/{r}/nodes", REGION).then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("lkfleet_capacity_nodes_gone_total{region=\"eu-central\"}"));
    }
}
