package io.lkfleet.token.tenant;

import java.util.Optional;
import java.util.Set;

/**
 * Who is asking and what it may ask for.
 *
 * @param tenant the tenant it authenticated as
 * @param vouchedIdentity for a user JWT, the identity it vouches for (its {@code sub}), which the token must carry
 * @param allowedGrants the grants it may ask for: a backend all of the tenant's, a user JWT the tenant's
 *        defaults plus those its grants claim may confer
 * @param allowedRooms for a user JWT of a tenant that binds users to rooms, the rooms it names
 */
public record Caller(Tenant tenant, Optional<String> vouchedIdentity, Set<Grant> allowedGrants,
        Optional<Set<String>> allowedRooms) {

    /** An application backend (API key): anything the tenant may hand out, any room of its namespace. */
    public static Caller backend(Tenant tenant) {
        return new Caller(tenant, Optional.empty(), tenant.grants(), Optional.empty());
    }
}
