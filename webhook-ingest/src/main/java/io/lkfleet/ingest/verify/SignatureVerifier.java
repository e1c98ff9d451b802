package io.lkfleet.ingest.verify;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.config.IngestConfig;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a webhook the way LiveKit's own receiver does: the bare {@code Authorization} JWT is HS256,
 * signed with the secret of the region whose API key is its {@code iss}, inside its validity window
 * (with leeway), and its {@code sha256} claim is the base64 SHA-256 of the exact body bytes.
 */
@Singleton
public class SignatureVerifier {
    private static final Set<String> TIME_CLAIMS = Set.of("exp", "nbf", "iat");
    /** One digest per thread rather than a provider look-up per request; digest() leaves it reset. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private record Issuer(String region, JWTVerifier verifier) {
    }

    private final Map<String, Issuer> issuers;

    public SignatureVerifier(FleetConfig fleet, IngestConfig config) {
        long leeway = config.tokenLeeway().toSeconds();
        this.issuers = fleet.regions().entrySet().stream().collect(Collectors.toUnmodifiableMap(
                e -> e.getValue().apiKey(),
                e -> new Issuer(e.getKey(), JWT.require(new Hs256(e.getValue().apiSecret()))
                        .withIssuer(e.getValue().apiKey())
                        .acceptLeeway(leeway)
                        .build())));
    }

    /** Returns the region that sent {@code body}, or throws a 401 {@link WebhookRejectedException}. */
    public String verify(String authorization, byte[] body) {
        if (authorization == null || authorization.isBlank()) {
            throw new WebhookRejectedException(Reason.MISSING_SIGNATURE);
        }
        DecodedJWT token;
        try {
            token = JWT.decode(authorization.strip());
        } catch (JWTDecodeException e) {
            throw new WebhookRejectedException(Reason.INVALID_SIGNATURE);
        }
        Issuer issuer = token.getIssuer() == null ? null : issuers.get(token.getIssuer());
        if (issuer == null) {
            throw new WebhookRejectedException(Reason.UNKNOWN_KEY);
        }
        try {
            issuer.verifier().verify(token);
        } catch (TokenExpiredException e) {
            throw new WebhookRejectedException(Reason.TOKEN_NOT_VALID_NOW, issuer.region(), null);
        } catch (IncorrectClaimException e) {
            Reason reason = TIME_CLAIMS.contains(e.getClaimName()) ? Reason.TOKEN_NOT_VALID_NOW : Reason.INVALID_SIGNATURE;
            throw new WebhookRejectedException(reason, issuer.region(), null);
        } catch (JWTVerificationException e) {
            throw new WebhookRejectedException(Reason.INVALID_SIGNATURE, issuer.region(), null);
        }
        String claimed = token.getClaim("sha256").asString();
        // Constant-time compare of the base64 texts: LiveKit compares the same strings.
        if (claimed == null || !MessageDigest.isEqual(sha256Base64(body), claimed.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRejectedException(Reason.HASH_MISMATCH, issuer.region(), null);
        }
        return issuer.region();
    }

    private static byte[] sha256Base64(byte[] body) {
        return Base64.getEncoder().encode(SHA256.get().digest(body));
    }
}
