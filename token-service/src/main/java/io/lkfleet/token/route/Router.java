package io.lkfleet.token.route;

import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.routing.Refusal;
import io.lkfleet.routing.route.RouteService;
import io.lkfleet.token.config.TokenServiceConfig;
import io.lkfleet.token.rest.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Routes each join in process with the routing library (design §2: no process hop between the
 * token request and its admission; one Redis round trip for a room that exists). The library's
 * refusals reach the client with their own {@link Reason}, status and detail (409 room too big for
 * one node or its node full, 403 residency, 429 reservation limit, 503 no capacity); routing state
 * that cannot be read (lkfleet's Redis down or slow, an answer outside the contract) is 503
 * {@code state-unavailable} with Retry-After, never a hang and never a token.
 */
@ApplicationScoped
public class Router {
    private static final Logger LOG = Logger.getLogger(Router.class);

    private final RouteService routes;
    private final int retryAfterSeconds;

    public Router(RouteService routes, TokenServiceConfig config) {
        this.routes = routes;
        this.retryAfterSeconds = config.retryAfterSeconds();
    }

    public Uni<RouteDecision> route(RouteRequest request) {
        return Uni.createFrom().deferred(() -> routes.route(request))
                .onFailure().transform(failure -> problem(failure, retryAfterSeconds));
    }

    /** The client's problem for a routing failure: a refusal keeps its reason; anything else is state-unavailable. */
    static Problem problem(Throwable failure, int retryAfterSeconds) {
        if (failure instanceof Refusal refusal) {
            Reason reason = Reason.ofSlug(refusal.reason()).filter(r -> r.status() == refusal.status().getStatusCode())
                    .orElse(null);
            if (reason != null) {
                return Problem.of(reason, refusal.getMessage(), retryAfterSeconds);
            }
        }
        LOG.warnf("routing failed: %s", failure.toString());
        return Problem.of(Reason.STATE_UNAVAILABLE, "routing state cannot be read right now; retry shortly",
                retryAfterSeconds);
    }
}
