package io.lkfleet.router;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * lkfleet's Redis stops: with the admit-pinned-only policy, joins of rooms LiveKit already runs go
 * through to their node, new rooms get a fast 503 with Retry-After, and nothing hangs.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
@TestProfile(RedisOutageTest.AdmitPinnedOnly.class)
class RedisOutageTest {

    public static class AdmitPinnedOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("routing.redis-failure-policy", "admit-pinned-only", "quarkus.redis.timeout", "1s");
        }
    }

    @Inject
    RedisDataSource redis;

    @Test
    void withoutRedisPinnedRoomsStillJoinAndNewRoomsGetAFast503() {
        LocalFleet fleet = TestFleet.get();
        ModelMarks.markRebuilt(redis, "eu-west", "eu-central");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Callers.admin().get("/v1/admin/nodes").jsonPath()
                .getList("node_id").size() == 4);
        String room = "outage-" + System.nanoTime();
        String node = route(room, "alice").then().statusCode(200).extract().path("node_id");
        fleet.stopRedis("redis-fleet");
        try {
            route(room, "bob").then().time(lessThan(5L), TimeUnit.SECONDS).statusCode(200)
                    .body("node_id", equalTo(node)).body("latency_source", equalTo("pinned-unaccounted"));
            route("outage-new-" + System.nanoTime(), "carol").then().time(lessThan(5L), TimeUnit.SECONDS)
                    .statusCode(503).header("Retry-After", notNullValue())
                    .body("type", equalTo("https://lkfleet.io/problems/state-unavailable"));
        } finally {
            fleet.restartRedis("redis-fleet");
        }
        // Redis came back empty: no admission against a model nobody rebuilt yet
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> "https://lkfleet.io/problems/model-rebuilding"
                .equals(route("outage-after-" + System.nanoTime(), "dave").then().extract().path("type")));
        route("outage-after-" + System.nanoTime(), "erin").then().statusCode(503).header("Retry-After", notNullValue())
                .body("type", equalTo("https://lkfleet.io/problems/model-rebuilding"));
        ModelMarks.markRebuilt(redis, "eu-west", "eu-central");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> route("outage-after-" + System.nanoTime(), "dave")
                .statusCode() == 200);
    }

    private static io.restassured.response.Response route(String room, String identity) {
        return Callers.tokenService().contentType("application/json").body(Map.of("tenant", "test", "room", room,
                "identity", identity,
                "role", "publisher", "region_rtt_ms", Map.of("eu-west", 10))).post("/v1/route");
    }
}
