package io.lkfleet.router;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.lkfleet.routing.admission.RouterKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every API of region-router needs its own credential: the admin token, or the caller token for /v1/route. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ApiCredentialsTest {
    private static final String UNAUTHORIZED = "https://lkfleet.io/problems/unauthorized";

    @Inject
    RedisDataSource redis;

    @Test
    void adminApisRefuseCallersWithoutTheAdminToken() {
        String node = TestFleet.get().node("eu-west-a").nodeId();
        given().post("/v1/admin/nodes/" + node + "/drain").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("type", equalTo(UNAUTHORIZED));
        given().header("Authorization", "Bearer wrong").get("/v1/admin/nodes").then().statusCode(401)
                .body("type", equalTo(UNAUTHORIZED));
        Callers.tokenService().post("/v1/admin/nodes/" + node + "/drain").then().statusCode(401)
                .body("type", equalTo(UNAUTHORIZED));
        assertFalse(redis.set(String.class).smembers(RouterKeys.draining("eu-west")).contains(node),
                "a refused drain drained nothing");
        Callers.admin().get("/v1/admin/nodes").then().statusCode(200);
    }

    @Test
    void bookingsNeedTheAdminToken() {
        Map<String, Object> booking = Map.of("room", "unauth-webinar-" + System.nanoTime(), "region", "eu-west",
                "participants", 20, "until", Instant.now().plusSeconds(600).toString());
        given().contentType("application/json").body(booking).post("/v1/scheduled-rooms").then().statusCode(401)
                .body("type", equalTo(UNAUTHORIZED));
        given().delete("/v1/scheduled-rooms/eu-west/any").then().statusCode(401).body("type", equalTo(UNAUTHORIZED));
    }

    @Test
    void routeNeedsTheCallerTokenNotTheAdminToken() {
        Map<String, Object> join = Map.of("tenant", "test", "room", "unauth-" + System.nanoTime(), "identity", "i",
                "role", "publisher");
        given().contentType("application/json").body(join).post("/v1/route").then().statusCode(401)
                .body("type", equalTo(UNAUTHORIZED));
        Callers.admin().contentType("application/json").body(join).post("/v1/route").then().statusCode(401)
                .body("type", equalTo(UNAUTHORIZED));
        Callers.tokenService().contentType("application/json").body(Map.of("tenant", "t", "room", "r", "identity", "i",
                "role", "bogus")).post("/v1/route").then().statusCode(400);
    }
}
