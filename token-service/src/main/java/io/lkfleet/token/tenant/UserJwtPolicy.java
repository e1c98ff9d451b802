package io.lkfleet.token.tenant;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * How a tenant's user JWTs are checked: HS256 with a shared secret, or RS/ES signatures with the
 * public keys its identity provider publishes as a JWKS, or both (the token's {@code alg} picks).
 *
 * @param issuer the {@code iss} that names this tenant (the tenant id, or the identity provider's URL)
 * @param hs256Secret shared HS256 secret, if the tenant's app signs with one
 * @param jwksUrl where the identity provider publishes its signing keys, if it signs with RS/ES keys
 * @param audience the {@code aud} a token must carry, if the tenant asks for that check
 * @param grantsClaim the claim (a list of grant names) by which the tenant's issuer lets one user have
 *        more than the default grants, if it does
 * @param claimableGrants the grants that claim may confer; anything else it names is ignored
 * @param roomClaim the claim (a room name or a list of them) every user JWT must carry, naming the only
 *        rooms it may join, if the tenant binds users to rooms
 */
public record UserJwtPolicy(String issuer, Optional<String> hs256Secret, Optional<URI> jwksUrl,
        Optional<String> audience, Optional<String> grantsClaim, Set<Grant> claimableGrants,
        Optional<String> roomClaim) {

    @Override
    public String toString() {
        // the secret never reaches a log line through this record
        return "UserJwtPolicy[issuer=" + issuer + ", hs256=" + hs256Secret.isPresent() + ", jwksUrl="
                + jwksUrl.orElse(null) + ", audience=" + audience.orElse(null) + ", grantsClaim="
                + grantsClaim.orElse(null) + ", claimableGrants=" + claimableGrants + ", roomClaim="
                + roomClaim.orElse(null) + "]";
    }
}
