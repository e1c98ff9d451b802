package io.lkfleet.token.tenant;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A caller of token-service: an application backend (API key) or its users (app-issued JWT).
 *
 * @param id tenant name, also the {@code iss} of its user JWTs
 * @param namespace prefix every room name of this tenant must start with
 * @param regions regions its rooms may live in (empty: any)
 * @param jurisdictions jurisdiction tags a region must carry (empty: any)
 * @param grants grants it may hand out
 * @param defaultGrants grants a token gets when the request names none
 * @param maxTtl longest token lifetime
 * @param ratePerSecond sustained token requests per second (bursts up to twice that)
 * @param apiKeys SHA-256 hashes of its API keys, each valid until its optional end (rotation overlap)
 * @param userJwt how its user JWTs are verified, if its users may call directly
 */
public record Tenant(String id, String namespace, Set<String> regions, Set<String> jurisdictions, Set<Grant> grants,
        Set<Grant> defaultGrants, Duration maxTtl, int ratePerSecond, List<ApiKey> apiKeys,
        Optional<UserJwtPolicy> userJwt) {

    /** One API key, stored as the hex SHA-256 of the key, never the key itself. */
    public record ApiKey(byte[] sha256, Optional<Instant> notAfter) {
        public boolean validAt(Instant now) {
            return notAfter.map(now::isBefore).orElse(true);
        }
    }
}
