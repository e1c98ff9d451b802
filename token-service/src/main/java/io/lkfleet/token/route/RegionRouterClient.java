package io.lkfleet.token.route;

import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * region-router's routing API; URL and timeouts under {@code quarkus.rest-client.region-router.*}.
 * Non-blocking, so a token request waiting for its route holds no thread.
 */
@RegisterRestClient(configKey = "region-router")
@Path("/v1/route")
public interface RegionRouterClient {

    /**
     * Routes and admits one join; refusals come back as problem+json (409, 403, 503).
     * {@code authorization} is {@code Bearer <tokens.router-token>}.
     */
    @POST
    Uni<RouteDecision> route(@HeaderParam("Authorization") String authorization, RouteRequest request);
}
