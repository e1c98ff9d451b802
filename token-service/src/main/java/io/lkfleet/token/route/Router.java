package io.lkfleet.token.route;

import io.lkfleet.common.auth.BearerCredential;
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
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * One bounded call to region-router per token. The router's refusals keep their meaning for the
 * client (409 room too big for one node, 403 residency, 503 no capacity); a router that cannot be
 * reached in time is a 503 with Retry-After, never a hang and never a token. Every call carries the
 * caller token ({@code tokens.router-token}); a router that refuses it is unavailable to the client,
 * which cannot fix it.
 */
@ApplicationScoped
public class Router {
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

    /** A refusal keeps the router's reason; anything else (timeout, connection, bad answer) is router-unavailable. */
    private Problem asProblem(Throwable failure) {
        if (failure instanceof WebApplicationException e) {
            return refusal(e.getResponse());
        }
        return Problem.retryLater("router-unavailable", "routing is unavailable right now; retry shortly",
                retryAfterSeconds);
    }

    /** The router's own reason goes to the client (node-full is not room-exceeds-node). */
    private Problem refusal(Response response) {
        Map<?, ?> problem = problemOf(response);
        String detail = problem.get("detail") == null ? "refused by region-router" : problem.get("detail").toString();
        String type = problem.get("type") == null ? "" : problem.get("type").toString();
        String routerReason = type.startsWith(Problem.TYPE_BASE) ? type.substring(Problem.TYPE_BASE.length()) : null;
        return switch (response.getStatus()) {
            case 409 -> new Problem(Response.Status.CONFLICT, reasonOr(routerReason, "room-exceeds-node"), detail);
            case 403 -> new Problem(Response.Status.FORBIDDEN, reasonOr(routerReason, "forbidden-region"), detail);
            case 400 -> new Problem(Response.Status.BAD_REQUEST, "invalid-route", detail);
            case 503 -> Problem.retryLater(reasonOr(routerReason, "no-capacity"), detail, retryAfter(response));
            default -> Problem.retryLater("router-unavailable", "routing failed; retry shortly", retryAfterSeconds);
        };
    }

    private static String reasonOr(String reason, String fallback) {
        return reason == null || !reason.matches("[a-z-]{1,40}") ? fallback : reason;
    }

    private int retryAfter(Response response) {
        try {
            return Integer.parseInt(response.getHeaderString("Retry-After"));
        } catch (NumberFormatException e) {
            return retryAfterSeconds;
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
