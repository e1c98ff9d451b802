package io.lkfleet.token.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lkfleet.token.RawHttp;
import io.lkfleet.token.RecordingRouter;
import io.lkfleet.token.RecordingRouterResource;
import io.lkfleet.token.TenantsFileResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

/**
 * The client network sent to routing (the key of learned RTTs) comes from forwarded headers only when
 * the peer is a configured trusted proxy (127.0.0.1 in these tests); a caller at 127.0.0.2 is itself.
 */
@QuarkusTest
@WithTestResource(TenantsFileResource.class)
@WithTestResource(RecordingRouterResource.class)
class ForwardedHeadersTest {
    RecordingRouter router;

    @Test
    void aTrustedProxysXForwardedForNamesTheClient() {
        assertEquals("203.0.113.0/24", networkRoutedFor("127.0.0.1", "X-Forwarded-For: 203.0.113.77\r\n", "fwd-trusted"));
    }

    @Test
    void anyOtherCallersXForwardedForIsIgnored() {
        assertEquals("127.0.0.0/24", networkRoutedFor("127.0.0.2", "X-Forwarded-For: 203.0.113.77\r\n", "fwd-untrusted"));
    }

    @Test
    void theForwardedHeaderIsIgnoredEvenFromTheTrustedProxy() {
        assertEquals("127.0.0.0/24", networkRoutedFor("127.0.0.1", "Forwarded: for=198.51.100.7\r\n", "fwd-std-trusted"));
        assertEquals("127.0.0.0/24", networkRoutedFor("127.0.0.2", "Forwarded: for=198.51.100.7\r\n", "fwd-std-other"));
    }

    private String networkRoutedFor(String from, String header, String room) {
        String body = "{\"room_name\":\"acme-" + room + "\",\"participant_identity\":\"alice\"}";
        RawHttp.Answer answer = RawHttp.send(from, RestAssured.port,
                RawHttp.post("/v1/token", "Authorization: Bearer acme-backend-key-1\r\n" + header, body));
        assertEquals(201, answer.status(), answer.head() + "\n" + answer.body());
        return router.routedFor("acme-" + room).path("client_network").asText();
    }
}
