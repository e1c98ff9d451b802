package io.lkfleet.router.rest;

import io.lkfleet.common.auth.AdminApi;
import io.lkfleet.common.contract.AdminState;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.router.ScheduledRooms;
import io.lkfleet.router.admin.AdminStateLog;
import io.lkfleet.routing.Refusal;
import io.lkfleet.routing.admission.RouterKeys;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operator APIs: drain a node for a rolling upgrade (no new rooms, its rooms stay until they end;
 * LiveKit's preStop hook calls this), and book a node ahead for a scheduled big room. Every call
 * needs the admin token ({@code router.admin-token}) as {@code Authorization: Bearer <token>}. Every
 * change is also recorded in {@code fleet.admin-state} ({@link AdminStateLog}), so it outlives an
 * empty restart of lkfleet's Redis.
 */
@AdminApi
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private final FleetConfig fleet;
    private final LiveKitRegions livekit;
    private final ScheduledRooms scheduled;
    private final RedisDataSource redis;
    private final AdminStateLog adminState;

    public AdminResource(FleetConfig fleet, LiveKitRegions livekit, ScheduledRooms scheduled, RedisDataSource redis,
            AdminStateLog adminState) {
        this.adminState = adminState;
        this.fleet = fleet;
        this.livekit = livekit;
        this.scheduled = scheduled;
        this.redis = redis;
    }

    /** Nodes of every region with their liveness and drain flag. */
    @GET
    @Path("/admin/nodes")
    public List<Map<String, Object>> nodes() {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (String region : fleet.regions().keySet()) {
            Set<String> draining = redis.set(String.class).smembers(RouterKeys.draining(region));
            livekit.nodes(region).forEach(n -> nodes.add(Map.of("region", region, "node_id", n.id(), "serving",
                    n.serving(), "updated_at", n.updatedAtSeconds(), "draining", draining.contains(n.id()))));
        }
        return nodes;
    }

    @POST
    @Path("/admin/nodes/{nodeId}/drain")
    public Map<String, Object> drain(@PathParam("nodeId") String nodeId) {
        String region = regionOf(nodeId);
        redis.set(String.class).sadd(RouterKeys.draining(region), nodeId);
        adminState.record(new AdminState.Drain(region, nodeId));
        return Map.of("region", region, "node_id", nodeId, "draining", true);
    }

    @DELETE
    @Path("/admin/nodes/{nodeId}/drain")
    public Map<String, Object> undrain(@PathParam("nodeId") String nodeId) {
        String region = regionOf(nodeId);
        redis.set(String.class).srem(RouterKeys.draining(region), nodeId);
        adminState.withdraw(new AdminState.Drain(region, nodeId).key());
        return Map.of("region", region, "node_id", nodeId, "draining", false);
    }

    /** Body of a booking: {@code room}, {@code region}, {@code participants}, optional {@code publishers}, {@code until} (ISO instant). */
    public record BookingRequest(String room, String region, Integer participants, Integer publishers, String until) {
    }

    @POST
    @Path("/scheduled-rooms")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response book(BookingRequest request) {
        if (request == null || request.room() == null || request.region() == null || request.participants() == null
                || request.participants() < 1 || request.until() == null) {
            throw new Refusal(Response.Status.BAD_REQUEST, "invalid-booking",
                    "room, region, participants (>= 1) and until (ISO instant) are required");
        }
        Instant until;
        try {
            until = Instant.parse(request.until());
        } catch (java.time.format.DateTimeParseException e) {
            throw new Refusal(Response.Status.BAD_REQUEST, "invalid-booking", "until must be an ISO-8601 instant");
        }
        int publishers = request.publishers() == null ? request.participants() : request.publishers();
        ScheduledRooms.Booking booking = scheduled.book(request.region(), request.room(), request.participants(),
                publishers, until);
        adminState.record(new AdminState.Booking(booking.region(), booking.room(), booking.nodeId(),
                booking.participants(), booking.until().toEpochMilli()));
        return Response.status(Response.Status.CREATED).entity(booking).build();
    }

    @DELETE
    @Path("/scheduled-rooms/{region}/{room}")
    public Response release(@PathParam("region") String region, @PathParam("room") String room) {
        boolean released = scheduled.release(region, room);
        // withdrawn even if Redis had none: Redis may have lost what the topic still holds
        adminState.withdraw(AdminState.Booking.key(region, room));
        return released ? Response.noContent().build() : Response.status(Response.Status.NOT_FOUND).build();
    }

    private String regionOf(String nodeId) {
        return fleet.regions().keySet().stream().filter(r -> livekit.node(r, nodeId).isPresent()).findFirst()
                .orElseThrow(() -> new Refusal(Response.Status.NOT_FOUND, "unknown-node",
                        "no region's LiveKit registry has node " + nodeId));
    }
}
