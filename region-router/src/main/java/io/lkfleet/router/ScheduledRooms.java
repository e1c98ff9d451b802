package io.lkfleet.router;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.redis.LuaScript;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.routing.Refusal;
import io.lkfleet.routing.admission.RouterKeys;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.lkfleet.routing.route.FleetSnapshot;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Big rooms booked ahead ("webinar for 2,000"): a whole node of a region is kept for the room until
 * the booking ends. Placement gives no other new room that node; the booked room goes there first.
 * A booking is {@code room|participants|until-epoch-ms} in the region's {@code scheduled} hash,
 * written by one script that checks and books at once, so concurrent bookings never share a node.
 */
@ApplicationScoped
public class ScheduledRooms {
    private static final LuaScript BOOK = LuaScript.load(ScheduledRooms.class, "book.lua");
    private static final LuaScript UNBOOK = LuaScript.load(ScheduledRooms.class, "unbook.lua");

    private final FleetConfig fleet;
    private final CapacityModel model;
    private final LiveKitRegions livekit;
    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;

    public ScheduledRooms(FleetConfig fleet, CapacityModel model, LiveKitRegions livekit,
            RedisDataSource redis) {
        this.fleet = fleet;
        this.model = model;
        this.livekit = livekit;
        this.redis = redis;
        this.hashes = redis.hash(String.class);
    }

    /** A booking as the API shows it. */
    public record Booking(String room, String region, String nodeId, int participants, Instant until) {
    }

    /** Books the emptiest free node of {@code region} for {@code room}, or refuses with the reason. */
    public Booking book(String region, String room, int participants, int publishers, Instant until) {
        if (!fleet.regions().containsKey(region)) {
            throw new Refusal(Reason.UNKNOWN_REGION, "no region " + region);
        }
        NodeLimit limit = model.limitIn(fleet, region);
        RoomCost cost = model.cost(new RoomShape(participants, Math.min(publishers, participants), 0));
        if (!limit.fits(cost)) {
            throw new Refusal(Reason.ROOM_EXCEEDS_NODE, "a room of " + participants
                    + " would not fit on one node of region " + region);
        }
        long now = System.currentTimeMillis() / 1000;
        List<String> emptiestFirst = livekit.nodes(region).stream()
                .filter(n -> n.takesNewRooms(now))
                .sorted(Comparator.comparingLong(n -> load(region, n.id()))).map(RegisteredNode::id).toList();
        String node = claim(region, room, participants, until, emptiestFirst).orElseThrow(() -> new Refusal(
                Reason.NO_CAPACITY, "no free node in region " + region + " to book"));
        return new Booking(room, region, node, participants, until);
    }

    /**
     * Books the first of {@code candidates} (preferred first) that no other room holds, atomically;
     * the room's own booking on a candidate is kept and updated. Empty when every candidate is held.
     */
    public Optional<String> claim(String region, String room, int participants, Instant until, List<String> candidates) {
        List<String> args = new ArrayList<>(List.of(Long.toString(System.currentTimeMillis()), room,
                new FleetSnapshot.Booking(room, participants, until.toEpochMilli()).value()));
        args.addAll(candidates);
        Response booked = BOOK.run(redis, List.of(RouterKeys.scheduled(region)), args);
        return booked == null ? Optional.empty() : Optional.of(booked.toString());
    }

    /** Ends a booking; true when there was one. */
    public boolean release(String region, String room) {
        return UNBOOK.run(redis, List.of(RouterKeys.scheduled(region)), List.of(room)).toInteger() > 0;
    }

    /** A node's load in subscriptions, model plus live reservations: emptier nodes are booked first. */
    private long load(String region, String nodeId) {
        return number(hashes.hget(RedisKeys.node(region, nodeId), "subscriptions"))
                + number(hashes.hget(RouterKeys.nodeReserved(region, nodeId), "subs"));
    }

    private static long number(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }
}
