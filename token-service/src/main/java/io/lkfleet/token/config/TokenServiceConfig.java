package io.lkfleet.token.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** token-service's own settings (prefix {@code tokens}); the fleet itself comes from {@code fleet.*}. */
@ConfigMapping(prefix = "tokens")
public interface TokenServiceConfig {

    /**
     * YAML file of the tenants (see README): namespaces, regions, grants, TTLs, hashed API keys.
     * Re-read when it changes, without a restart.
     */
    @WithDefault("config/tenants.yaml")
    Path tenantsFile();

    /** How often, at most, the tenants file is checked for changes. */
    @WithDefault("2s")
    Duration tenantsReloadInterval();

    /** Token lifetime when the tenant does not cap it lower. */
    @WithDefault("1h")
    Duration defaultTtl();

    /** Seconds a client is told to wait (Retry-After) when no region has capacity or routing state cannot be read. */
    @WithDefault("2")
    int retryAfterSeconds();

    /**
     * Origins of the web pages that may call the token endpoint from a browser, as browsers send them
     * ({@code https://meet.example.com}) or {@code /regex/}; none when unset. Quarkus's CORS filter
     * enforces them ({@code quarkus.http.cors.origins} in application.properties).
     */
    Optional<List<String>> browserOrigins();

    /** Signing keys of tenants' identity providers ({@code user-jwt-jwks-url}). */
    Jwks jwks();

    interface Jwks {
        /** A key set older than this is fetched again before use. */
        @WithDefault("10m")
        Duration maxAge();

        /** A token signed with an unknown key triggers a fetch at most this often per key set. */
        @WithDefault("30s")
        Duration minRefetchInterval();

        /** Bound on one fetch; the request waits at most this long for it. */
        @WithDefault("2s")
        Duration fetchTimeout();
    }
}
