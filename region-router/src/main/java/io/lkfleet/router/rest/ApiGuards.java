package io.lkfleet.router.rest;

import io.lkfleet.common.auth.AdminApi;
import io.lkfleet.common.auth.BearerCredential;
import io.lkfleet.router.config.RouterConfig;
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
 * region-router's credentials: the admin token for operator APIs ({@link AdminApi}), the caller token
 * for {@code /v1/route} ({@link RouteCaller}). Checked before the body is read, so a refused request
 * changes nothing; without them outside dev and test the service does not start.
 */
// Application-scoped: the filters are built at static init, before config mappings exist; the proxy
// creates this bean (and reads the tokens) on first use.
@ApplicationScoped
public class ApiGuards {
    private final RouterConfig config;
    private final BearerCredential admin;
    private final BearerCredential caller;

    public ApiGuards(RouterConfig config) {
        this.config = config;
        this.admin = BearerCredential.of("router.admin-token", "admin token", config.adminToken());
        this.caller = BearerCredential.of("router.caller-token", "caller token", config.callerToken());
    }

    void requireCredentials(@Observes StartupEvent start) {
        BearerCredential.requireConfigured(ConfigUtils.getProfiles(), admin.configKey(), config.adminToken());
        BearerCredential.requireConfigured(ConfigUtils.getProfiles(), caller.configKey(), config.callerToken());
    }

    @AdminApi
    @ServerRequestFilter
    public Optional<Response> requireAdminToken(ContainerRequestContext request) {
        return admin.refusal(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    @RouteCaller
    @ServerRequestFilter
    public Optional<Response> requireCallerToken(ContainerRequestContext request) {
        return caller.refusal(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }
}
