package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The API's contract: sizing answers the guide's question, and every refusal is problem+json with a stable type. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class RestApiTest {

    @Test
    void sizingAnswersTheGuidesHundredParticipantQuestion() {
        given().queryParam("participants", 100).queryParam("rooms", "4:1.0").queryParam("mix", "1,0,0")
                .get("/v1/sizing").then().statusCode(200)
                .body("videoSubscriptions", equalTo(300.0f))
                .body("audioSubscriptions", equalTo(300.0f))
                .body("egressGbps", equalTo(0.5196f))
                .body("nodes", equalTo(1))
                .body("nodeLimit.maxSubscriptions", equalTo(650))
                .body("largestRoomFits", equalTo(true));
    }

    @Test
    void listsEveryConfiguredRegion() {
        given().get("/v1/regions").then().statusCode(200).body("name", hasItems("eu-west", "eu-central"));
    }

    @Test
    void refusesWithProblemJsonAndAStableTypePerReason() {
        given().get("/v1/sizing?participants=10&rooms=4:0.5").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://lkfleet.io/problems/invalid-sizing-request"));
        given().get("/v1/sizing").then().statusCode(400)
                .body("type", equalTo("https://lkfleet.io/problems/invalid-sizing-request"));
        given().get("/v1/regions/mars/nodes").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://lkfleet.io/problems/region-not-found"));
        given().get("/v1/nodes/ND_nobody").then().statusCode(404)
                .body("type", equalTo("https://lkfleet.io/problems/node-not-found"));
        given().get("/v1/rooms/no-such-room").then().statusCode(404)
                .body("type", equalTo("https://lkfleet.io/problems/room-not-found"))
                .body("status", equalTo(404))
                .body("detail", containsString("no-such-room"));
    }
}
