package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the fleet console reads and sends: {@code /v1/fleet} shows region-router's drains,
 * reservations and bookings beside the model; the page itself needs nothing from the internet;
 * admin actions and alerts say precisely why when region-router or Prometheus cannot answer.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ConsoleApiTest {
    @Inject
    RedisDataSource redis;

    @Test
    void fleetViewShowsTheRoutersDrainReservationsAndBookingBesideTheModel() {
        String nodeId = TestFleet.get().node("eu-west-a").nodeId();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node(nodeId) != null);
        String draining = RedisKeys.region("eu-west") + RedisKeys.DRAINING;
        String scheduled = RedisKeys.region("eu-west") + RedisKeys.SCHEDULED;
        String reserved = RedisKeys.node("eu-west", nodeId) + RedisKeys.RESERVED;
        long until = System.currentTimeMillis() + 3_600_000;
        redis.set(String.class).sadd(draining, nodeId);
        redis.hash(String.class).hset(scheduled, nodeId, "webinar|x|200|" + until);
        redis.hash(String.class).hset(reserved, "subs", "6");
        try {
            Map<String, Object> node = node(nodeId);
            assertEquals(true, node.get("draining"));
            assertEquals(6, node.get("reservedSubscriptions"));
            assertEquals(Map.of("room", "webinar|x", "participants", 200, "untilEpochMillis", until), node.get("booking"));
        } finally {
            redis.key().del(draining, scheduled, reserved);
        }
        Map<String, Object> node = node(nodeId);
        assertEquals(false, node.get("draining"));
        assertEquals(null, node.get("booking"));
    }

    @Test
    void consoleIsServedAndLoadsNothingFromTheInternet() {
        String page = given().get("/console/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("console.js")).extract().asString();
        String script = given().get("/console/console.js").then().statusCode(200).extract().asString();
        given().get("/console/console.css").then().statusCode(200);
        for (String text : new String[] {page, script}) {
            assertFalse(text.contains("http://") || text.contains("https://"), "no CDN, no remote resource");
            assertFalse(text.contains("innerHTML"), "fleet values go in as text only");
        }
    }

    @Test
    void adminActionsSayWhenRegionRouterDoesNotAnswerWithoutEchoingTheCredential() {
        // no region-router runs in this test: the console's forward fails as a problem, credential unseen
        given().header("Authorization", "Bearer secret-admin-token").post("/console/api/nodes/ND_x/drain").then()
                .statusCode(502).contentType("application/problem+json")
                .body("type", equalTo("https://lkfleet.io/problems/router-unreachable"))
                .body(not(containsString("secret-admin-token")));
    }

    @Test
    void alertsSayWhyWhenNoPrometheusIsConfigured() {
        given().get("/console/api/alerts").then().statusCode(200)
                .body("error", containsString("capacity.console.prometheus-url"));
    }

    /** The node's entry in /v1/fleet, or null while the registry poller has not seen it. */
    private static Map<String, Object> node(String nodeId) {
        JsonPath fleet = given().get("/v1/fleet").then().statusCode(200).extract().jsonPath();
        return fleet.getMap("regions.find { it.totals.name == 'eu-west' }.nodes.find { it.load.id == '" + nodeId + "' }");
    }
}
