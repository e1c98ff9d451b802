package io.lkfleet.router;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.router.admission.Admission;
import io.lkfleet.router.admission.RouterKeys;
import io.lkfleet.router.config.RouterConfig;
import io.lkfleet.router.livekit.LiveKitRegions;
import io.lkfleet.router.route.FleetSnapshot;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Big rooms booked ahead ("webinar for 2,000"): a whole node of a region is kept for the room until
 * the booking ends. Placement gives no other new room that node; the booked room goes there first.
 * A booking is {@code room|participants|until-epoch-ms} in the region's {@code scheduled} hash.
 */
@ApplicationScoped
public class ScheduledRooms {
    private final FleetConfig fleet;
    private final RouterConfig config;
    private final CapacityModel model;
    private final LiveKitRegions livekit;
    private final Admission admission;
    private final HashCommands<String, String, String> hashes;

    public ScheduledRooms(FleetConfig fleet, RouterConfig config, CapacityModel model, LiveKitRegions livekit,
            Admission admission, RedisDataSource redis) {
        this.admission = admission;
        this.fleet = fleet;
        this.config = config;
        this.model = model;
        this.livekit = livekit;
        this.hashes = redis.hash(String.class);
    }

    /** A booking as the API shows it. */
    public record Booking(String room, String region, String nodeId, int participants, Instant until) {
    }

    /** Books the emptiest free node of {@code region} for {@code room}, or refuses with the reason. */
    public Booking book(String region, String room, int participants, int publishers, Instant until) {
        if (!fleet.regions().containsKey(region)) {
            throw new Refusal(Status.NOT_FOUND, "unknown-region", "no region " + region);
        }
        NodeLimit limit = model.limitIn(fleet, region);
        RoomCost cost = model.cost(new RoomShape(participants, Math.min(publishers, participants), 0));
        if (!limit.fits(cost)) {
            throw new Refusal(Status.CONFLICT, "room-exceeds-node", "a room of " + participants
                    + " would not fit on one node of region " + region);
        }
        Map<String, String> bookings = hashes.hgetall(RouterKeys.scheduled(region));
        long nowMillis = System.currentTimeMillis();
        long now = nowMillis / 1000;
        Optional<RegisteredNode> free = livekit.nodes(region).stream()
                .filter(n -> n.takesNewRooms(now))
                .filter(n -> bookings.get(n.id()) == null || !FleetSnapshot.Booking.parse(bookings.get(n.id())).activeAt(nowMillis)
                        || FleetSnapshot.Booking.parse(bookings.get(n.id())).room().equals(room))
                .min(Comparator.comparingLong(n -> admission.load(region, n.id())));
        RegisteredNode node = free.orElseThrow(() -> new Refusal(Status.SERVICE_UNAVAILABLE, "no-capacity",
                "no free node in region " + region + " to book"));
        hashes.hset(RouterKeys.scheduled(region), node.id(), new FleetSnapshot.Booking(room, participants, until.toEpochMilli()).value());
        return new Booking(room, region, node.id(), participants, until);
    }

    /** Ends a booking; true when there was one. */
    public boolean release(String region, String room) {
        Map<String, String> bookings = hashes.hgetall(RouterKeys.scheduled(region));
        return bookings.entrySet().stream().filter(e -> FleetSnapshot.Booking.parse(e.getValue()).room().equals(room))
                .mapToInt(e -> hashes.hdel(RouterKeys.scheduled(region), e.getKey())).sum() > 0;
    }
}
