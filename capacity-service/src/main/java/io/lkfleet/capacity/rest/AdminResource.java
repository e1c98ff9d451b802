package io.lkfleet.capacity.rest;

import io.lkfleet.capacity.service.LoadViews;
import io.lkfleet.capacity.service.RegionRebuild;
import io.lkfleet.common.auth.AdminApi;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Operations on the model itself; each needs the admin token ({@link AdminGuard}). */
@AdminApi
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private final RegionRebuild rebuild;
    private final LoadViews views;

    public AdminResource(RegionRebuild rebuild, LoadViews views) {
        this.rebuild = rebuild;
        this.views = views;
    }

    /** Wipes the region's lkfleet keys and replays the webhook topic from the beginning. */
    @POST
    @Path("/regions/{region}/rebuild")
    @Blocking
    public RegionRebuild.Result rebuild(@PathParam("region") String region) {
        CapacityProblem.requireRegion(views, region);
        return rebuild.rebuild(region);
    }
}
