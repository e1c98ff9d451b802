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
    private final MessageDigest sha;

    WebhookSigner(FleetLayout.Region region) {
        this.region = region;
        this.hs256 = Algorithm.HMAC256(region.apiSecret());
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Authorization header value LiveKit would send with {@code body}. */
    String authorization(byte[] body) {
        Instant now = Instant.now();
        return JWT.create().withIssuer(region.apiKey()).withNotBefore(now).withIssuedAt(now)
                .withExpiresAt(now.plus(Duration.ofMinutes(5)))
                .withClaim("sha256", Base64.getEncoder().encodeToString(sha.digest(body))).sign(hs256);
    }
}
