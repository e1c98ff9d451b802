package io.lkfleet.token.route;

import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.token.config.TokenServiceConfig;
import io.lkfleet.token.rest.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * One bounded call to region-router per token. The router's refusals keep their meaning for the
 * client (409 room too big for one node, 403 residency, 503 no capacity); a router that cannot be
 * reached in time is a 503 with Retry-After, never a hang and never a token.
 */
@ApplicationScoped
public class Router {
    private final RegionRouterClient client;
    private final int retryAfterSeconds;

    public Router(@RestClient RegionRouterClient client, TokenServiceConfig config) {
        this.client = client;
        this.retryAfterSeconds = config.retryAfterSeconds();
    }

    public RouteDecision route(RouteRequest request) {
        try {
            return client.route(request);
        } catch (WebApplicationException e) {
            throw refusal(e.getResponse());
        } catch (ProcessingException e) {
            throw Problem.retryLater("router-unavailable", "routing is unavailable right now; retry shortly",
                    retryAfterSeconds);
        }
    }

    private Problem refusal(Response response) {
        String detail = detailOf(response);
        return switch (response.getStatus()) {
            case 409 -> new Problem(Response.Status.CONFLICT, "room-exceeds-node", detail);
            case 403 -> new Problem(Response.Status.FORBIDDEN, "forbidden-region", detail);
            case 400 -> new Problem(Response.Status.BAD_REQUEST, "invalid-route", detail);
            case 503 -> Problem.retryLater("no-capacity", detail, retryAfter(response));
            default -> Problem.retryLater("router-unavailable", "routing failed; retry shortly", retryAfterSeconds);
        };
    }

    private int retryAfter(Response response) {
        try {
            return Integer.parseInt(response.getHeaderString("Retry-After"));
        } catch (NumberFormatException e) {
            return retryAfterSeconds;
        }
    }

    @SuppressWarnings("unchecked")
    private static String detailOf(Response response) {
        try {
            Object detail = response.readEntity(Map.class).get("detail");
            return detail == null ? "refused by region-router" : detail.toString();
        } catch (RuntimeException e) {
            return "refused by region-router";
        }
    }
}
