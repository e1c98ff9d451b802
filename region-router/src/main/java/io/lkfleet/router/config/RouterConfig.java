package io.lkfleet.router.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * region-router's own settings, those of its HTTP APIs (prefix {@code router}); routing itself is
 * configured by the routing library's {@code RoutingConfig} (prefix {@code routing}).
 */
@ConfigMapping(prefix = "router")
public interface RouterConfig {

    /**
     * Bearer token the admin APIs (drain, scheduled rooms) require. Secret: from the environment
     * ({@code ROUTER_ADMIN_TOKEN}). Required outside the dev and test profiles; unset there, the admin
     * APIs refuse every call.
     */
    Optional<String> adminToken();

    /**
     * Bearer token the caller of {@code POST /v1/route} (e.g. a service that does not run the routing library)
     * must present. Secret: from the environment ({@code ROUTER_CALLER_TOKEN}); required like {@link #adminToken()}.
     */
    Optional<String> callerToken();

    /** Retry-After (seconds) sent with 503 refusals. */
    @WithDefault("2")
    int retryAfterSeconds();
}
