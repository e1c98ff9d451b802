package io.lkfleet.router.rest;

import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.router.RouteService;
import io.micrometer.core.annotation.Timed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /v1/route}: where one join goes, admitted atomically, or a problem saying why not. */
@Path("/v1/route")
public class RouteResource {
    private final RouteService routes;

    public RouteResource(RouteService routes) {
        this.routes = routes;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Timed(value = "lkfleet.router.route", histogram = true, description = "Route requests, admission included")
    public RouteDecision route(RouteRequest request) {
        return routes.route(request);
    }
}
