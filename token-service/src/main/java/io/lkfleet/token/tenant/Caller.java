package io.lkfleet.token.tenant;

import java.util.Optional;

/**
 * Who is asking: the tenant, and for a user JWT the identity it vouches for (its {@code sub}),
 * which the token must carry.
 */
public record Caller(Tenant tenant, Optional<String> vouchedIdentity) {
}
