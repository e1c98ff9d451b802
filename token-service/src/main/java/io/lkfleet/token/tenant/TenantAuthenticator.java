package io.lkfleet.token.tenant;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.lkfleet.token.rest.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Optional;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Caller}: either a tenant API key
 * (compared by SHA-256, in constant time, against every key so timing tells nothing) or a user JWT
 * the tenant's app issued (HS256 with the tenant's secret, {@code iss} = tenant, {@code sub} = user).
 * Failures never say which part was right.
 */
@ApplicationScoped
public class TenantAuthenticator {
    private static final long JWT_LEEWAY_SECONDS = 30;

    private final TenantRegistry tenants;

    public TenantAuthenticator(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    public Caller authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthenticated("credentials are missing: send Authorization: Bearer <tenant API key or user JWT>");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated("the Authorization header must use the Bearer scheme");
        }
        String credential = authorization.substring(7).trim();
        return credential.chars().filter(c -> c == '.').count() == 2 ? userJwt(credential) : apiKey(credential);
    }

    private Caller apiKey(String key) {
        byte[] hash = sha256(key);
        Instant now = Instant.now();
        Tenant match = null;
        for (Tenant tenant : tenants.current().values()) {
            for (Tenant.ApiKey candidate : tenant.apiKeys()) {
                // no early exit: every key is compared whatever matched before
                if (MessageDigest.isEqual(hash, candidate.sha256()) && candidate.validAt(now)) {
                    match = tenant;
                }
            }
        }
        if (match == null) {
            throw unauthenticated("the credentials are not valid");
        }
        return new Caller(match, Optional.empty());
    }

    private Caller userJwt(String jwt) {
        DecodedJWT unverified;
        try {
            unverified = JWT.decode(jwt);
        } catch (JWTDecodeException e) {
            throw unauthenticated("the credentials are not a well-formed JWT");
        }
        Tenant tenant = Optional.ofNullable(unverified.getIssuer()).flatMap(tenants::byId)
                .filter(t -> t.userJwtSecret().isPresent())
                .orElseThrow(() -> unauthenticated("the credentials are not valid"));
        try {
            DecodedJWT verified = JWT.require(Algorithm.HMAC256(tenant.userJwtSecret().get()))
                    .withIssuer(tenant.id())
                    .withClaimPresence("sub")
                    .withClaimPresence("exp")
                    .acceptLeeway(JWT_LEEWAY_SECONDS)
                    .build()
                    .verify(jwt);
            return new Caller(tenant, Optional.of(verified.getSubject()));
        } catch (TokenExpiredException e) {
            throw unauthenticated("the user JWT has expired");
        } catch (JWTVerificationException e) {
            throw unauthenticated("the credentials are not valid");
        }
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static Problem unauthenticated(String detail) {
        return new Problem(Response.Status.UNAUTHORIZED, "unauthenticated", detail);
    }
}
