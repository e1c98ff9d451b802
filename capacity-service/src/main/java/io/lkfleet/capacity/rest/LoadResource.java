package io.lkfleet.capacity.rest;

import io.lkfleet.capacity.FleetView;
import io.lkfleet.capacity.GuardReport;
import io.lkfleet.capacity.NodeView;
import io.lkfleet.capacity.RegionView;
import io.lkfleet.capacity.RoomView;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.capacity.rest.CapacityProblem.Reason;
import io.lkfleet.capacity.service.LoadViews;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;

/** The live load model: regions, their nodes, rooms. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class LoadResource {
    private final LoadViews views;
    private final CapacityConfig config;

    public LoadResource(LoadViews views, CapacityConfig config) {
        this.views = views;
        this.config = config;
    }

    /** Everything at once (regions → nodes → rooms, reservations, drains, bookings): the console polls it. */
    @GET
    @Path("/fleet")
    public FleetView fleet() {
        return views.fleet(config.guards().idleRoomGrace().toSeconds());
    }

    @GET
    @Path("/regions")
    public List<RegionView> regions() {
        return views.regionNames().stream().map(views::region).toList();
    }

    @GET
    @Path("/regions/{region}/nodes")
    public List<NodeView> nodes(@PathParam("region") String region) {
        CapacityProblem.requireRegion(views, region);
        return views.nodes(region);
    }

    /** Rooms the ops guards flag right now: idle and never closed, or recording with no publisher. */
    @GET
    @Path("/regions/{region}/guards")
    public GuardReport guards(@PathParam("region") String region) {
        CapacityProblem.requireRegion(views, region);
        return views.guards(region, System.currentTimeMillis() / 1000, config.guards().idleRoomGrace().toSeconds());
    }

    @GET
    @Path("/nodes/{id}")
    public NodeView node(@PathParam("id") String id) {
        return views.node(id).orElseThrow(() -> new CapacityProblem(Reason.NODE_NOT_FOUND, "no node '" + id + "'"));
    }

    /** A room by name; {@code region} narrows the search when the same name lives in several regions. */
    @GET
    @Path("/rooms/{room}")
    public RoomView room(@PathParam("room") String room, @QueryParam("region") String region) {
        if (region != null) {
            CapacityProblem.requireRegion(views, region);
        }
        return views.room(Optional.ofNullable(region), room)
                .orElseThrow(() -> new CapacityProblem(Reason.ROOM_NOT_FOUND, "no open room '" + room + "'"));
    }
}
