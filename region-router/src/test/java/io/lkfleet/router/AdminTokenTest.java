package io.lkfleet.router;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With an admin token configured, drain and booking APIs refuse callers without it. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
@TestProfile(AdminTokenTest.WithAdminToken.class)
class AdminTokenTest {
    public static class WithAdminToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("router.admin-token", "test-admin-token-0123456789");
        }
    }

    @Test
    void adminApisNeedTheAdminToken() {
        given().post("/v1/admin/nodes/ND_any/drain").then().statusCode(401)
                .body("type", equalTo("https://lkfleet.io/problems/unauthenticated"));
        given().header("Authorization", "Bearer wrong").get("/v1/admin/nodes").then().statusCode(401);
        given().header("Authorization", "Bearer test-admin-token-0123456789").get("/v1/admin/nodes").then()
                .statusCode(200);
        given().contentType("application/json").body(Map.of("tenant", "t", "room", "r-" + System.nanoTime(),
                "identity", "i", "role", "bogus")).post("/v1/route").then().statusCode(400);
    }
}
