package io.lkfleet.ingest;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lkfleet.ingest.rest.WebhookResource;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Builds webhooks the way LiveKit does (body, bare HS256 token) and posts them to the service. */
final class Webhooks {
    static final String LIVEKIT_MEDIA_TYPE = "application/webhook+json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What came back: status, headers and body. */
    record Answer(int status, String contentType, String retryAfter, String body) {
    }

    private Webhooks() {
    }

    static FleetLayout.Region region(String name) {
        return TestFleet.get().layout().regions().get(name);
    }

    static String newId() {
        return "EV_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A room event shaped like LiveKit's protojson (lowerCamelCase, int64 as strings). */
    static byte[] roomEvent(String type, String id, String room) {
        return ("{\"event\":\"" + type + "\",\"room\":{\"sid\":\"RM_test\",\"name\":\"" + room
                + "\",\"emptyTimeout\":300,\"creationTime\":\"" + Instant.now().getEpochSecond() + "\"},\"id\":\"" + id
                + "\",\"createdAt\":\"" + Instant.now().getEpochSecond() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** LiveKit's token: iss = API key, nbf = iat = now, exp = now + 5 min, sha256 of the body. */
    static String token(FleetLayout.Region region, byte[] body) {
        return token(region.apiKey(), region.apiSecret(), sha256(body), Instant.now());
    }

    static String token(String apiKey, String secret, String sha256, Instant issuedAt) {
        return JWT.create().withIssuer(apiKey).withNotBefore(issuedAt).withIssuedAt(issuedAt)
                .withExpiresAt(issuedAt.plus(Duration.ofMinutes(5))).withClaim("sha256", sha256)
                .sign(Algorithm.HMAC256(secret));
    }

    static String sha256(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts a signed LiveKit webhook. */
    static Answer post(String region, byte[] body) {
        return send("POST", LIVEKIT_MEDIA_TYPE, token(region(region), body), body);
    }

    /** Any request to the webhook endpoint; null content type or authorization leaves the header out. */
    static Answer send(String method, String contentType, String authorization, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint())
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("Retry-After").orElse(null), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + endpoint() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static URI endpoint() {
        return URI.create("http://127.0.0.1:" + LocalFleetResource.httpPort() + WebhookResource.PATH);
    }
}
