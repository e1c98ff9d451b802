package io.lkfleet.token.route;

import io.lkfleet.common.auth.BearerCredential;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.token.config.TokenServiceConfig;
import io.lkfleet.token.rest.Problem;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * One bounded call to region-router per token. The router's refusals reach the client with the
 * router's own {@link Reason} (409 room too big for one node or its node full, 403 residency, 503 no
 * capacity); a router that cannot be reached in time, or answers outside the contract, is a 503
 * {@code router-unavailable} with Retry-After, never a hang and never a token. Every call carries the
 * caller token ({@code tokens.router-token}); a router that refuses it is unavailable to the client,
 * which cannot fix it.
 */
@ApplicationScoped
public class Router {
    private static final Logger LOG = Logger.getLogger(Router.class);

    private final RegionRouterClient client;
    private final TokenServiceConfig config;
    private final int retryAfterSeconds;
    private final String authorization;

    public Router(@RestClient RegionRouterClient client, TokenServiceConfig config) {
        this.client = client;
        this.config = config;
        this.retryAfterSeconds = config.retryAfterSeconds();
        this.authorization = "Bearer " + config.routerToken().orElse("");
    }

    void requireCredentials(@Observes StartupEvent start) {
        BearerCredential.requireConfigured(ConfigUtils.getProfiles(), "tokens.router-token", config.routerToken());
    }

    public Uni<RouteDecision> route(RouteRequest request) {
        return client.route(authorization, request).onFailure().transform(this::asProblem);
    }

    private Problem asProblem(Throwable failure) {
        if (failure instanceof WebApplicationException e) {
            Response response = e.getResponse();
            return refusal(response.getStatus(), problemOf(response), response.getHeaderString(HttpHeaders.RETRY_AFTER),
                    retryAfterSeconds);
        }
        return Problem.of(Reason.ROUTER_UNAVAILABLE, "routing is unavailable right now; retry shortly",
                retryAfterSeconds);
    }

    /**
     * The router's problem as the client's: its {@link Reason} by the problem {@code type} and its
     * {@code detail}, unchanged. An answer that is not one of the shared reasons, or a 401 (the
     * router did not accept token-service itself: nothing the client can fix), is router-unavailable.
     */
    static Problem refusal(int status, Map<?, ?> problem, String retryAfterHeader, int defaultRetryAfterSeconds) {
        Optional<Reason> reason = Reason.ofType(text(problem.get("type")))
                .filter(r -> r.status() == status && r != Reason.UNAUTHORIZED);
        if (reason.isEmpty()) {
            LOG.warnf("region-router answered HTTP %d with problem type %s: not a routing refusal", status,
                    text(problem.get("type")));
            return Problem.of(Reason.ROUTER_UNAVAILABLE, "routing failed; retry shortly", defaultRetryAfterSeconds);
        }
        String detail = text(problem.get("detail"));
        return Problem.of(reason.get(), detail == null ? "refused by region-router" : detail,
                retryAfter(retryAfterHeader, defaultRetryAfterSeconds));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static int retryAfter(String header, int defaultSeconds) {
        try {
            return header == null ? defaultSeconds : Integer.parseInt(header.trim());
        } catch (NumberFormatException e) {
            return defaultSeconds;
        }
    }

    private static Map<?, ?> problemOf(Response response) {
        try {
            Map<?, ?> problem = response.readEntity(Map.class);
            return problem == null ? Map.of() : problem;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
