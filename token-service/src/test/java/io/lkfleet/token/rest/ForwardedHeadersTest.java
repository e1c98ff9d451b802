package io.lkfleet.token.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.lkfleet.token.RawHttp;
import io.lkfleet.token.RoutingReady;
import io.lkfleet.token.TenantsFileResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client network routing learns RTTs by comes from forwarded headers only when the peer is a
 * configured trusted proxy (127.0.0.1 in these tests); a caller at 127.0.0.2 is itself. Seen through
 * real routing on the real fleet: clients of 203.0.113.0/24 measured eu-west near, so a new room of
 * that network goes to eu-west by the learned estimate; any other network has no estimate and gets
 * the configured order, which puts eu-central first.
 */
@QuarkusTest
@WithTestResource(TenantsFileResource.class)
@WithTestResource(LocalFleetResource.class)
class ForwardedHeadersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEARNED = "eu-west";
    private static final String CONFIGURED = "eu-central";

    @Inject
    RedisDataSource redis;
    @Inject
    LiveKitRegions livekit;

    @BeforeEach
    void aClientOfTheNetworkMeasuredEuWestNear() throws Exception {
        RoutingReady.await(redis, livekit);
        assertEquals(LEARNED, regionOfNewRoom("127.0.0.1", "X-Forwarded-For: 203.0.113.77\r\n",
                ",\"region_rtt_ms\":{\"eu-west\":5,\"eu-central\":90}"), "measured RTTs decide");
    }

    @Test
    void aTrustedProxysXForwardedForNamesTheClient() throws Exception {
        assertEquals(LEARNED, regionOfNewRoom("127.0.0.1", "X-Forwarded-For: 203.0.113.78\r\n", ""));
    }

    @Test
    void anyOtherCallersXForwardedForIsIgnored() throws Exception {
        assertEquals(CONFIGURED, regionOfNewRoom("127.0.0.2", "X-Forwarded-For: 203.0.113.78\r\n", ""));
    }

    @Test
    void theForwardedHeaderIsIgnoredEvenFromTheTrustedProxy() throws Exception {
        assertEquals(CONFIGURED, regionOfNewRoom("127.0.0.1", "Forwarded: for=203.0.113.78\r\n", ""));
        assertEquals(CONFIGURED, regionOfNewRoom("127.0.0.2", "Forwarded: for=203.0.113.78\r\n", ""));
    }

    /** The region a new room is routed to for a client at {@code from} sending {@code header}. */
    private static String regionOfNewRoom(String from, String header, String rtts) throws Exception {
        String body = "{\"room_name\":\"acme-fwd-" + UUID.randomUUID() + "\",\"participant_identity\":\"alice\"" + rtts
                + "}";
        RawHttp.Answer answer = RawHttp.send(from, RestAssured.port,
                RawHttp.post("/v1/token", "Authorization: Bearer acme-backend-key-1\r\n" + header, body));
        assertEquals(201, answer.status(), answer.head() + "\n" + answer.body());
        return JSON.readTree(answer.body()).path("region").asText();
    }
}
