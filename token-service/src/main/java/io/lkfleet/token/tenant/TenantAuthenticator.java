package io.lkfleet.token.tenant;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import io.lkfleet.token.rest.Problem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Caller}: either a tenant API key
 * (compared by SHA-256, in constant time, against every key so timing tells nothing) or a user JWT
 * the tenant's app or identity provider issued ({@code iss} names the tenant, {@code sub} the user;
 * signed HS256 with the tenant's secret or RS/ES with a key of its provider's JWKS).
 * Failures never say which part was right.
 */
@ApplicationScoped
public class TenantAuthenticator {
    private static final long JWT_LEEWAY_SECONDS = 30;
    private static final int KEYS_RETRY_AFTER_SECONDS = 5;

    private final TenantRegistry tenants;
    private final JwksKeys jwks;

    public TenantAuthenticator(TenantRegistry tenants, JwksKeys jwks) {
        this.tenants = tenants;
        this.jwks = jwks;
    }

    /**
     * The caller behind the header, or a {@link Problem}. Never blocks: an API key is hashed and
     * compared, a user JWT verified on the spot once its key is held; a key set that must be fetched
     * first completes the answer later, back on the caller's Vert.x context.
     */
    public Uni<Caller> authenticate(String authorization) {
        return Uni.createFrom().deferred(() -> caller(authorization));
    }

    private Uni<Caller> caller(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthenticated("credentials are missing: send Authorization: Bearer <tenant API key or user JWT>");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated("the Authorization header must use the Bearer scheme");
        }
        String credential = authorization.substring(7).trim();
        return isUserJwt(credential) ? userJwt(credential) : Uni.createFrom().item(apiKey(credential));
    }

    private static boolean isUserJwt(String credential) {
        return credential.chars().filter(c -> c == '.').count() == 2;
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
        return Caller.backend(match);
    }

    private Uni<Caller> userJwt(String jwt) {
        DecodedJWT unverified = wellFormed(jwt);
        Tenant tenant = tenants.byUserJwtIssuer(unverified.getIssuer())
                .orElseThrow(() -> unauthenticated("the credentials are not valid"));
        UserJwtPolicy policy = tenant.userJwt().orElseThrow();
        String alg = unverified.getAlgorithm();
        if (alg.equals("HS256") && policy.hs256Secret().isPresent()) {
            return Uni.createFrom().item(verify(jwt, tenant, policy, Algorithm.HMAC256(policy.hs256Secret().get())));
        }
        if (policy.jwksUrl().isEmpty() || !(alg.startsWith("RS") || alg.startsWith("ES"))) {
            throw unauthenticated("the credentials are not valid");
        }
        Context context = Vertx.currentContext();
        Uni<Optional<JwksKeys.Jwk>> key = Uni.createFrom()
                .completionStage(() -> jwks.key(policy.jwksUrl().get(), Optional.ofNullable(unverified.getKeyId())))
                .onFailure().transform(failure -> Problem.retryLater("user-jwt-keys-unavailable",
                        "the signing keys of the tenant's identity provider cannot be fetched", KEYS_RETRY_AFTER_SECONDS));
        if (context != null) {
            // a fetched key set completes on the HTTP client's thread: continue on the request's event loop
            key = key.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return key.map(jwk -> verify(jwt, tenant, policy, algorithm(alg, jwk)));
    }

    private static Caller verify(String jwt, Tenant tenant, UserJwtPolicy policy, Algorithm algorithm) {
        try {
            Verification verification = JWT.require(algorithm)
                    .withIssuer(policy.issuer())
                    .acceptLeeway(JWT_LEEWAY_SECONDS);
            policy.audience().ifPresent(verification::withAudience);
            DecodedJWT verified = verification.build().verify(jwt);
            return new Caller(tenant, Optional.of(verified.getSubject()), userGrants(tenant, policy, verified),
                    policy.roomClaim().map(claim -> rooms(claim, verified)));
        } catch (TokenExpiredException e) {
            throw unauthenticated("the user JWT has expired");
        } catch (JWTVerificationException e) {
            throw unauthenticated("the credentials are not valid");
        }
    }

    /**
     * The JWT's shape, checked before any key is looked up, so a hostile header or payload is a 401
     * and never reaches the verifier half-formed: header with a string {@code alg} and no {@code crit}
     * extensions (none is understood here), a string {@code kid} if any; payload with a string
     * {@code iss} and {@code sub} and a numeric {@code exp} (a token without one would never expire).
     */
    static DecodedJWT wellFormed(String jwt) {
        try {
            return checkShape(JWT.decode(jwt));
        } catch (Problem refused) {
            throw refused;
        } catch (RuntimeException e) {
            // JWTDecodeException for most; whatever a hostile header makes the parser throw is the same answer
            throw malformed("the credentials are not a well-formed JWT");
        }
    }

    private static DecodedJWT checkShape(DecodedJWT token) {
        if (!isString(token.getHeaderClaim("alg"))) {
            throw malformed("the JWT header must name its alg");
        }
        if (!token.getHeaderClaim("crit").isMissing()) {
            throw malformed("the JWT header must not carry crit extensions");
        }
        Claim kid = token.getHeaderClaim("kid");
        if (!kid.isMissing() && !isString(kid)) {
            throw malformed("the JWT header's kid must be a string");
        }
        if (!isString(token.getClaim("iss")) || !isString(token.getClaim("sub")) || token.getSubject().isBlank()) {
            throw malformed("the user JWT must carry iss and sub");
        }
        if (token.getExpiresAtAsInstant() == null) {
            throw malformed("the user JWT must carry exp");
        }
        return token;
    }

    private static boolean isString(Claim claim) {
        return !claim.isMissing() && !claim.isNull() && claim.as(Object.class) instanceof String;
    }

    /**
     * A user gets the tenant's default grants, plus those of the tenant's claimable grants that its
     * issuer named in the grants claim: nothing privileged unless the tenant allowed exactly that.
     */
    private static Set<Grant> userGrants(Tenant tenant, UserJwtPolicy policy, DecodedJWT token) {
        Set<Grant> allowed = EnumSet.noneOf(Grant.class);
        allowed.addAll(tenant.defaultGrants());
        policy.grantsClaim().ifPresent(claim -> strings(token.getClaim(claim), claim).stream()
                .flatMap(name -> Grant.of(name).stream())
                .filter(policy.claimableGrants()::contains)
                .forEach(allowed::add));
        return Set.copyOf(allowed);
    }

    /** The rooms a user JWT names in the tenant's room claim (a name or a list); none when it lacks the claim. */
    private static Set<String> rooms(String claim, DecodedJWT token) {
        return Set.copyOf(strings(token.getClaim(claim), claim));
    }

    private static List<String> strings(Claim claim, String name) {
        if (claim.isMissing() || claim.isNull()) {
            return List.of();
        }
        Object value = claim.as(Object.class);
        if (value instanceof String single) {
            return List.of(single);
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw malformed("the user JWT's " + name + " must be a string or a list of strings");
    }

    /**
     * The RS/ES verifier the token's {@code alg} asks for, with the provider's published key of that
     * type (and of that {@code alg}, when the JWKS pins one). With HS256 decided before, neither
     * {@code none} nor an HS256 token "signed" with a public key (algorithm confusion) ever verifies.
     */
    private static Algorithm algorithm(String alg, Optional<JwksKeys.Jwk> published) {
        JwksKeys.Jwk jwk = published.filter(k -> k.alg().map(alg::equals).orElse(true))
                .orElseThrow(() -> unauthenticated("the credentials are not valid"));
        Algorithm algorithm = switch (alg) {
            case "RS256" -> jwk.key() instanceof RSAPublicKey rsa ? Algorithm.RSA256(rsa, null) : null;
            case "RS384" -> jwk.key() instanceof RSAPublicKey rsa ? Algorithm.RSA384(rsa, null) : null;
            case "RS512" -> jwk.key() instanceof RSAPublicKey rsa ? Algorithm.RSA512(rsa, null) : null;
            case "ES256" -> jwk.key() instanceof ECPublicKey ec ? Algorithm.ECDSA256(ec, null) : null;
            case "ES384" -> jwk.key() instanceof ECPublicKey ec ? Algorithm.ECDSA384(ec, null) : null;
            case "ES512" -> jwk.key() instanceof ECPublicKey ec ? Algorithm.ECDSA512(ec, null) : null;
            default -> null;
        };
        if (algorithm == null) {
            throw unauthenticated("the credentials are not valid");
        }
        return algorithm;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static Problem malformed(String detail) {
        return new Problem(Response.Status.UNAUTHORIZED, "malformed-jwt", detail);
    }

    private static Problem unauthenticated(String detail) {
        return new Problem(Response.Status.UNAUTHORIZED, "unauthenticated", detail);
    }
}
