package io.lkfleet.capacity.rest;

import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.common.auth.AdminApi;
import io.lkfleet.common.auth.BearerCredential;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The admin token ({@code capacity.admin-token}) of capacity-service's operator APIs ({@link AdminApi}),
 * checked before anything runs; without it outside dev and test the service does not start.
 */
// Application-scoped: the filters are built at static init, before config mappings exist; the proxy
// creates this bean (and reads the tokens) on first use.
@ApplicationScoped
public class AdminGuard {
    private final CapacityConfig config;
    private final BearerCredential admin;

    public AdminGuard(CapacityConfig config) {
        this.config = config;
        this.admin = BearerCredential.of("capacity.admin-token", "admin token", config.adminToken());
    }

    void requireCredentials(@Observes StartupEvent start) {
        BearerCredential.requireConfigured(ConfigUtils.getProfiles(), admin.configKey(), config.adminToken());
    }

    @AdminApi
    @ServerRequestFilter
    public Optional<Response> requireAdminToken(ContainerRequestContext request) {
        return admin.refusal(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }
}
