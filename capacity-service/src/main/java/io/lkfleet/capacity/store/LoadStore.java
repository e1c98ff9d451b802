package io.lkfleet.capacity.store;

import io.lkfleet.capacity.WebhookChange;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.redis.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.redis.datasource.keys.KeyScanCursor;
import io.quarkus.redis.datasource.set.SetCommands;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.redis.client.Command;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The load model in lkfleet's Redis, laid out as {@link RedisKeys} documents. Every write is one
 * Lua script, atomic within the region's slot; reads are plain hash and set reads.
 */
@ApplicationScoped
public class LoadStore {
    /** Outcomes {@link #apply} reports, as the script returns them. */
    public static final String APPLIED = "applied";
    public static final String DUPLICATE = "duplicate";

    private static final LuaScript APPLY_EVENT = LuaScript.load(LoadStore.class, "apply_event.lua",
            "room_assignment.lua");
    private static final LuaScript ASSIGN_ROOM = LuaScript.load(LoadStore.class, "assign_room.lua",
            "room_assignment.lua");
    private static final LuaScript SYNC_NODE = LuaScript.load(LoadStore.class, "sync_node.lua");
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    private final ReactiveRedisDataSource reactive;
    private final HashCommands<String, String, String> hashes;
    private final SetCommands<String, String> sets;
    private final KeyCommands<String> keys;
    private final CapacityModel model;
    private final CapacityConfig config;
    private final WipeGate gate = new WipeGate();

    public LoadStore(ReactiveRedisDataSource reactive, RedisDataSource redis, CapacityModel model, CapacityConfig config) {
        this.reactive = reactive;
        this.hashes = redis.hash(String.class);
        this.sets = redis.set(String.class);
        this.keys = redis.key(String.class);
        this.model = model;
        this.config = config;
    }

    /** Applies one event; returns the outcome ({@link #APPLIED}, {@link #DUPLICATE}, {@code stale}, {@code finished}, ...). */
    public Uni<String> apply(WebhookChange e) {
        return applyAll(List.of(e)).map(outcomes -> outcomes.get(0));
    }

    /**
     * Applies {@code changes} in the given order as one pipeline of {@code apply_event.lua} calls on
     * one connection (Redis runs them one after another, in that order, so a room's events keep
     * their order); returns their outcomes in the same order. Fails as a whole when any call fails:
     * calling again is safe, as events already applied answer {@link #DUPLICATE}.
     */
    public Uni<List<String>> applyAll(List<WebhookChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Set<String> regions = new TreeSet<>();
        changes.forEach(e -> regions.add(e.region()));
        // deferred: each retry of a refused write passes the gate again
        return Uni.createFrom().deferred(() -> {
            List<String> entered = new ArrayList<>(regions.size());
            try {
                regions.forEach(region -> {
                    gate.enter(region);
                    entered.add(region);
                });
            } catch (WipeGate.Closed closed) {
                entered.forEach(gate::exit);
                throw closed;
            }
            List<Request> calls = changes.stream().map(this::applyCall).toList();
            return reactive.getRedis().batch(calls)
                    .onFailure(LuaScript::unknownScript)
                    .recoverWithUni(() -> reactive.execute("SCRIPT", "LOAD", APPLY_EVENT.source())
                            .chain(() -> reactive.getRedis().batch(calls)))
                    .map(responses -> responses.stream().map(Response::toString).toList())
                    .eventually(() -> entered.forEach(gate::exit));
        });
    }

    private Request applyCall(WebhookChange e) {
        Request call = Request.cmd(Command.EVALSHA);
        for (String argument : APPLY_EVENT.evalshaArguments(List.of(RedisKeys.appliedEvents(e.region())), List.of(
                RedisKeys.region(e.region()), e.eventId(), e.type(), Long.toString(e.createdAt()), e.room(),
                e.roomSid(), e.participantSid(), e.trackSid(), e.trackKind(), e.egressId(),
                e.egressActive() ? "1" : "0", Double.toString(model.forwardedVideoKbps()),
                Integer.toString(model.assumptions().audioKbps()),
                Integer.toString(model.assumptions().screenShareKbps()),
                Long.toString(config.events().appliedRetention().toSeconds()), e.participantIdentity()))) {
            call.arg(argument);
        }
        return call;
    }

    /** Counts {@code room}'s load on {@code nodeId}; true when that moved it. */
    public boolean assignRoom(String region, String room, String nodeId) {
        return write(region, ASSIGN_ROOM, List.of(RedisKeys.room(region, room)),
                List.of(RedisKeys.region(region), room, nodeId)) == 1;
    }

    /**
     * Records a node's measured fields; when {@code alive} is false and the node was not gone yet,
     * marks it gone and returns how many rooms were lost with it, else -1.
     */
    public long syncNode(String region, String nodeId, boolean alive, Map<String, String> measured) {
        List<String> args = new ArrayList<>(List.of(RedisKeys.region(region), nodeId, alive ? "1" : "0"));
        measured.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        return write(region, SYNC_NODE, List.of(RedisKeys.node(region, nodeId)), args);
    }

    private long write(String region, LuaScript script, List<String> keyList, List<String> args) {
        gate.enter(region);
        try {
            return script.run(reactive, keyList, args).await().atMost(WRITE_TIMEOUT).toLong();
        } finally {
            gate.exit(region);
        }
    }

    /**
     * Deletes every lkfleet key of {@code region} but region-router's and the model mark; returns how many. This
     * instance's writes to the region wait meanwhile (see {@link WipeGate}).
     */
    public long wipe(String region) {
        gate.close(region, WRITE_TIMEOUT);
        try {
            long deleted = 0;
            String mark = RedisKeys.model(region);
            KeyScanCursor<String> cursor = keys.scan(new KeyScanArgs().match(RedisKeys.regionPattern(region))
                    .count(1000));
            while (cursor.hasNext()) {
                // region-router's reservations, pins, drains and bookings share the slot but are not the view
                List<String> batch = cursor.next().stream()
                        .filter(key -> !RedisKeys.ownedByRouter(key) && !key.equals(mark)).toList();
                if (!batch.isEmpty()) {
                    deleted += keys.del(batch.toArray(String[]::new));
                }
            }
            return deleted;
        } finally {
            gate.open(region);
        }
    }

    public Map<String, String> room(String region, String room) {
        return hashes.hgetall(RedisKeys.room(region, room));
    }

    /** Ids of the room's egress that are still running. */
    public List<String> activeEgress(String region, String room) {
        return hashes.hgetall(RedisKeys.roomEgress(region, room)).entrySet().stream()
                .filter(e -> "A".equals(e.getValue())).map(Map.Entry::getKey).sorted().toList();
    }

    public Set<String> rooms(String region) {
        return sets.smembers(RedisKeys.rooms(region));
    }

    public Map<String, String> node(String region, String nodeId) {
        return hashes.hgetall(RedisKeys.node(region, nodeId));
    }

    public Set<String> nodes(String region) {
        return sets.smembers(RedisKeys.nodes(region));
    }

    public Set<String> nodeRooms(String region, String nodeId) {
        return sets.smembers(RedisKeys.nodeRooms(region, nodeId));
    }

    public Map<String, String> totals(String region) {
        return hashes.hgetall(RedisKeys.totals(region));
    }

    /** region-router's drained nodes of the region (read only: the router owns them). */
    public Set<String> draining(String region) {
        return sets.smembers(RedisKeys.region(region) + RedisKeys.DRAINING);
    }

    /** region-router's bookings of the region: node id → {@code room|participants|until epoch ms}. */
    public Map<String, String> bookings(String region) {
        return hashes.hgetall(RedisKeys.region(region) + RedisKeys.SCHEDULED);
    }

    /** Subscriptions region-router has reserved on the node for joins not yet in the model. */
    public long reservedSubscriptions(String region, String nodeId) {
        String subs = hashes.hget(RedisKeys.node(region, nodeId) + RedisKeys.RESERVED, "subs");
        return subs == null || subs.isEmpty() ? 0 : (long) Double.parseDouble(subs);
    }
}
