package io.lkfleet.token.tenant;

import java.net.URI;
import java.util.Optional;

/**
 * How a tenant's user JWTs are checked: HS256 with a shared secret, or RS/ES signatures with the
 * public keys its identity provider publishes as a JWKS, or both (the token's {@code alg} picks).
 *
 * @param issuer the {@code iss} that names this tenant (the tenant id, or the identity provider's URL)
 * @param hs256Secret shared HS256 secret, if the tenant's app signs with one
 * @param jwksUrl where the identity provider publishes its signing keys, if it signs with RS/ES keys
 * @param audience the {@code aud} a token must carry, if the tenant asks for that check
 */
public record UserJwtPolicy(String issuer, Optional<String> hs256Secret, Optional<URI> jwksUrl,
        Optional<String> audience) {

    @Override
    public String toString() {
        // the secret never reaches a log line through this record
        return "UserJwtPolicy[issuer=" + issuer + ", hs256=" + hs256Secret.isPresent() + ", jwksUrl="
                + jwksUrl.orElse(null) + ", audience=" + audience.orElse(null) + "]";
    }
}
