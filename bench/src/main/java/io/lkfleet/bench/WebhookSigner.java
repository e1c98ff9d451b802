package io.lkfleet.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lkfleet.local.FleetLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/** Signs webhook bodies the way LiveKit does: an HS256 JWT, iss = the region's API key, sha256 claim of the body. */
final class WebhookSigner {
    private final FleetLayout.Region region;
    private final Algorithm hs256;

    WebhookSigner(FleetLayout.Region region) {
        this.region = region;
        this.hs256 = Algorithm.HMAC256(region.apiSecret());
    }

    /** The Authorization header value LiveKit would send with {@code body}; safe from several threads at once. */
    String authorization(byte[] body) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256"); // a digest per call: MessageDigest is not thread-safe
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Instant now = Instant.now();
        return JWT.create().withIssuer(region.apiKey()).withNotBefore(now).withIssuedAt(now)
                .withExpiresAt(now.plus(Duration.ofMinutes(5)))
                .withClaim("sha256", Base64.getEncoder().encodeToString(sha.digest(body))).sign(hs256);
    }
}
