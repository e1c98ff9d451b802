package io.lkfleet.token.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.lkfleet.token.TenantsFileResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A web app's page calls the token endpoint cross-origin (livekit-client's TokenSource.endpoint with
 * the credential in a header): the browser asks first (CORS preflight) and token-service says yes only
 * for the origins the deployment lists in {@code tokens.browser-origins}. lkfleet's Redis is
 * unreachable here (routing fails closed): a POST the origin check let through ends in 503
 * state-unavailable, one it refused in 403.
 */
@QuarkusTest
@TestProfile(BrowserOriginsTest.WebApps.class)
@WithTestResource(TenantsFileResource.class)
public class BrowserOriginsTest {
    static final String APP = "https://meet.acme.example";

    public static class WebApps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokens.browser-origins", APP + ",/http://127\\.0\\.0\\.1:[0-9]+/");
        }
    }

    @Test
    void aListedOriginMayPostWithTheCredentialHeader() {
        preflight(APP).statusCode(200)
                .header("Access-Control-Allow-Origin", APP)
                .header("Access-Control-Allow-Methods", containsStringIgnoringCase("POST"))
                .header("Access-Control-Allow-Headers", containsStringIgnoringCase("authorization"))
                .header("Access-Control-Allow-Headers", containsStringIgnoringCase("content-type"));
        preflight("http://127.0.0.1:43123").statusCode(200).header("Access-Control-Allow-Origin", "http://127.0.0.1:43123");
        given().header("Origin", APP).header("Authorization", "Bearer acme-backend-key-1").contentType("application/json")
                .body("{\"room_name\":\"acme-web\",\"participant_identity\":\"alice\"}")
                .post("/v1/token").then().statusCode(503).body(containsString("state-unavailable"))
                .header("Access-Control-Allow-Origin", APP);
    }

    @Test
    void anyOtherOriginIsNotAllowed() {
        for (String origin : new String[] {"https://evil.example", "https://meet.acme.example.evil.example",
                "http://meet.acme.example", "http://127.0.0.2:8080", "null"}) {
            preflight(origin).header("Access-Control-Allow-Origin", nullValue());
        }
        // a POST the browser sends without asking first (or a page that ignores the answer) is refused too
        given().header("Origin", "https://evil.example").header("Authorization", "Bearer acme-backend-key-1")
                .contentType("application/json").body("{\"room_name\":\"acme-web\",\"participant_identity\":\"alice\"}")
                .post("/v1/token").then().statusCode(403).body(not(containsString("participant_token")));
    }

    /** The browser's question before it POSTs JSON with an Authorization header from {@code origin}. */
    public static ValidatableResponse preflight(String origin) {
        return given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/v1/token").then();
    }
}
