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

    /**
     * Rebuilds the region's model from LiveKit's present state (see {@link RegionRebuild}), under the
     * region's one rebuild claim: 409 while another rebuild, of any instance, holds it.
     */
    @POST
    @Path("/regions/{region}/rebuild")
    @Blocking
    public RegionRebuild.Result rebuild(@PathParam("region") String region) {
        CapacityProblem.requireRegion(views, region);
        return rebuild.rebuild(region).orElseThrow(() -> new CapacityProblem(CapacityProblem.Reason.REBUILD_IN_PROGRESS,
                "region " + region + "'s model is being rebuilt already; its mark says rebuilt once done"));
    }
}
