package io.lkfleet.router.rest;

import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.routing.route.RouteService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/route}: where one join goes, admitted atomically, or a problem saying why not.
 * Non-blocking: it runs on the event loop and only the uncommon paths move to a worker. Only
 * token-service calls it, with the caller token ({@code router.caller-token}).
 */
@RouteCaller
@Path("/v1/route")
public class RouteResource {
    private final RouteService routes;
    private final MeterRegistry meters;
    private final Timer latency;

    public RouteResource(RouteService routes, MeterRegistry meters) {
        this.routes = routes;
        this.meters = meters;
        this.latency = Timer.builder("lkfleet.router.route").description("Route requests, admission included")
                .publishPercentileHistogram().register(meters);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RouteDecision> route(RouteRequest request) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return routes.route(request).onTermination().invoke(() -> sample.stop(latency));
        } catch (RuntimeException refused) {
            sample.stop(latency);
            throw refused;
        }
    }
}
