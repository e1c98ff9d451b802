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
import io.quarkus.redis.datasource.set.SetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.quarkus.redis.datasource.sortedset.SortedSetCommands;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load model in lkfleet's Redis, laid out as {@link RedisKeys} documents. Every write is one
 * Lua script, atomic within the region's slot; reads are plain hash and set reads. Every write
 * passes the region's gate in Redis (model_gate.lua): while a rebuild holds the region's claim
 * ({@link ModelClaim}), or Redis lost its model, only that rebuild's writes go through; any other
 * is refused with {@link ModelClosed}, whichever instance sends it, and its caller retries.
 */
@ApplicationScoped
public class LoadStore {
    /** Outcomes {@link #apply} reports, as the script returns them. */
    public static final String APPLIED = "applied";
    public static final String DUPLICATE = "duplicate";
    /** The claim of the live writers (the stream, the registry poller): none. */
    public static final String LIVE = "";

    private static final LuaScript APPLY_EVENT = LuaScript.load(LoadStore.class, "apply_event.lua",
            "model_gate.lua", "room_assignment.lua");
    private static final LuaScript ASSIGN_ROOM = LuaScript.load(LoadStore.class, "assign_room.lua",
            "model_gate.lua", "room_assignment.lua");
    private static final LuaScript SYNC_NODE = LuaScript.load(LoadStore.class, "sync_node.lua", "model_gate.lua");
    private static final LuaScript SCAN_REGION = LuaScript.load(LoadStore.class, "scan_region.lua");
    private static final String CLOSED = "MODEL_CLOSED";
    /**
     * Most events of one apply_event.lua call. The script builds its functions once per call, which cost
     * Redis about as much as applying an event did (a third less CPU per event at 8 or more per call, on a
     * private Redis; 2026-12-03-event-path.md, session 8); Redis runs nothing else during a call, so it is
     * kept short (32 events: about 1 ms), not a whole poll.
     */
    static final int EVENTS_PER_CALL = 32;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    /** A write Redis refused: the region's model is being rebuilt, or lost; write again later. */
    public static final class ModelClosed extends IllegalStateException {
        ModelClosed(String region, Throwable refusal) {
            super("region " + region + "'s model is being rebuilt or was lost: " + refusal.getMessage(), refusal);
        }
    }

    /** Where a live event sits in {@code livekit.webhooks}: one below the last rebuild's snapshot is skipped. */
    public record StreamPosition(int partition, long offset) {
    }

    private final ReactiveRedisDataSource reactive;
    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;
    private final SetCommands<String, String> sets;
    private final SortedSetCommands<String, String> sortedSets;
    private final KeyCommands<String> keys;
    private final CapacityModel model;
    private final CapacityConfig config;

    public LoadStore(ReactiveRedisDataSource reactive, RedisDataSource redis, CapacityModel model, CapacityConfig config) {
        this.reactive = reactive;
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.sets = redis.set(String.class);
        this.sortedSets = redis.sortedSet(String.class);
        this.keys = redis.key(String.class);
        this.model = model;
        this.config = config;
    }

    /** Applies one event; returns the outcome ({@link #APPLIED}, {@link #DUPLICATE}, {@code stale}, {@code finished}, ...). */
    public Uni<String> apply(WebhookChange e) {
        return applyAll(List.of(e)).map(outcomes -> outcomes.get(0));
    }

    /** {@link #applyAll(List, List, String)} for live events whose place in the stream does not matter. */
    public Uni<List<String>> applyAll(List<WebhookChange> changes) {
        return applyAll(changes, List.of(), LIVE);
    }

    /**
     * Applies {@code changes} in the given order as one pipeline of {@code apply_event.lua} calls per
     * region ({@value #EVENTS_PER_CALL} events a call), each on one connection (Redis runs them one after
     * another, in that order, so a room's events keep their order); returns their outcomes in the same order ({@code before_snapshot}
     * for an event the last rebuild's snapshot holds already). One pipeline per region, not per poll:
     * a region's keys share one hash slot, and on a Redis Cluster a pipeline must stay on the master
     * that holds its slot. Fails as a whole when any call fails, with {@link ModelClosed} when the
     * region's gate refused it: calling again is safe, as events already applied answer {@link #DUPLICATE}.
     *
     * @param at the events' places in the stream, index by index, or empty (none are skipped)
     * @param claim the rebuild's claim ({@link ModelClaim}) the writer holds, or {@link #LIVE}
     */
    public Uni<List<String>> applyAll(List<WebhookChange> changes, List<StreamPosition> at, String claim) {
        if (changes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, List<Integer>> byRegion = new LinkedHashMap<>();
        for (int i = 0; i < changes.size(); i++) {
            byRegion.computeIfAbsent(changes.get(i).region(), region -> new ArrayList<>()).add(i);
        }
        List<Uni<List<String>>> pipelines = new ArrayList<>(byRegion.size());
        byRegion.forEach((region, indexes) -> {
            List<Request> calls = new ArrayList<>();
            for (int from = 0; from < indexes.size(); from += EVENTS_PER_CALL) {
                calls.add(applyCall(region, indexes.subList(from, Math.min(indexes.size(), from + EVENTS_PER_CALL)).stream()
                        .map(i -> new Positioned(changes.get(i), at.isEmpty() ? null : at.get(i))).toList(), claim));
            }
            pipelines.add(applyInRegion(region, calls));
        });
        return Uni.join().all(pipelines).andFailFast().map(outcomes -> {
            String[] ordered = new String[changes.size()];
            int region = 0;
            for (List<Integer> indexes : byRegion.values()) {
                List<String> regionOutcomes = outcomes.get(region++);
                for (int j = 0; j < indexes.size(); j++) {
                    ordered[indexes.get(j)] = regionOutcomes.get(j);
                }
            }
            return List.of(ordered);
        });
    }

    /** An event and its place in the stream (null: never skipped). */
    private record Positioned(WebhookChange change, StreamPosition at) {
    }

    /**
     * One region's calls as one pipeline; the outcomes of all their events, in order. Should Redis not know the script (first use, restart,
     * failover), the pipeline is sent again behind a {@code SCRIPT LOAD}: keyless, it goes to the same
     * master as the calls, where a {@code SCRIPT LOAD} sent on its own might not.
     */
    private Uni<List<String>> applyInRegion(String region, List<Request> calls) {
        List<Request> loadFirst = new ArrayList<>(calls.size() + 1);
        loadFirst.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(APPLY_EVENT.source()));
        loadFirst.addAll(calls);
        return reactive.getRedis().batch(calls)
                .onFailure(LuaScript::unknownScript)
                .recoverWithUni(() -> reactive.getRedis().batch(loadFirst).map(replies -> replies.subList(1, replies.size())))
                .onFailure(LoadStore::refused).transform(e -> new ModelClosed(region, e))
                .map(responses -> {
                    List<String> outcomes = new ArrayList<>();
                    responses.forEach(call -> call.forEach(outcome -> outcomes.add(outcome.toString())));
                    return outcomes;
                });
    }

    /** One apply_event.lua call: the region's keys and the model's settings, then each event's arguments. */
    private Request applyCall(String region, List<Positioned> events, String claim) {
        List<String> args = new ArrayList<>(7 + 13 * events.size());
        args.addAll(List.of(RedisKeys.region(region), Double.toString(model.forwardedVideoKbps()),
                Integer.toString(model.assumptions().audioKbps()), Integer.toString(model.assumptions().screenShareKbps()),
                Long.toString(config.events().appliedRetention().toSeconds()),
                Long.toString(config.finishedRoomTtl().toSeconds()), claim));
        for (Positioned event : events) {
            WebhookChange e = event.change();
            StreamPosition at = event.at();
            args.addAll(List.of(e.eventId(), e.type(), Long.toString(e.createdAt()), e.room(), e.roomSid(),
                    e.participantSid(), e.trackSid(), e.trackKind(), e.egressId(), e.egressActive() ? "1" : "0",
                    e.participantIdentity(), at == null ? "" : Integer.toString(at.partition()),
                    at == null ? "" : Long.toString(at.offset())));
        }
        Request call = Request.cmd(Command.EVALSHA);
        for (String argument : APPLY_EVENT.evalshaArguments(List.of(RedisKeys.appliedEvents(region),
                RedisKeys.model(region), RedisKeys.snapshot(region)), args)) {
            call.arg(argument);
        }
        return call;
    }

    /** Counts {@code room}'s load on {@code nodeId}, as the writer holding {@code claim}; true when that moved it. */
    public boolean assignRoom(String region, String room, String nodeId, String claim) {
        return write(region, ASSIGN_ROOM, List.of(RedisKeys.room(region, room), RedisKeys.model(region)),
                List.of(RedisKeys.region(region), room, nodeId, claim)) == 1;
    }

    /**
     * Records a node's measured fields, as the writer holding {@code claim}; when {@code alive} is
     * false and the node was not gone yet, marks it gone (its hash expires after
     * {@code capacity.finished-room-ttl}) and returns how many rooms were lost with it, else -1.
     */
    public long syncNode(String region, String nodeId, boolean alive, Map<String, String> measured, String claim) {
        List<String> args = new ArrayList<>(List.of(RedisKeys.region(region), nodeId, alive ? "1" : "0",
                Long.toString(config.finishedRoomTtl().toSeconds()), claim));
        measured.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        return write(region, SYNC_NODE, List.of(RedisKeys.node(region, nodeId), RedisKeys.model(region)), args);
    }

    private long write(String region, LuaScript script, List<String> keyList, List<String> args) {
        try {
            return script.run(reactive, keyList, args).await().atMost(WRITE_TIMEOUT).toLong();
        } catch (RuntimeException e) {
            throw refused(e) ? new ModelClosed(region, e) : e;
        }
    }

    /** True for the gate's refusal, however the client wrapped Redis's error reply (a pipeline's reads "ERR [i] ..."). */
    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(CLOSED)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes every lkfleet key of {@code region} but region-router's and the model mark; returns
     * how many. Only under the region's claim: every other writer is refused meanwhile, so no write
     * lands between two of its batches.
     */
    public long wipe(String region) {
        long deleted = 0;
        String mark = RedisKeys.model(region);
        String cursor = "0";
        do {
            Response page = SCAN_REGION.run(redis, List.of(mark), List.of(cursor, RedisKeys.regionPattern(region), "1000"));
            cursor = page.get(0).toString();
            // region-router's reservations, pins, drains and bookings share the slot but are not the view
            List<String> batch = new ArrayList<>();
            page.get(1).forEach(key -> {
                if (!RedisKeys.ownedByRouter(key.toString()) && !key.toString().equals(mark)) {
                    batch.add(key.toString());
                }
            });
            if (!batch.isEmpty()) {
                deleted += keys.del(batch.toArray(String[]::new));
            }
        } while (!cursor.equals("0"));
        return deleted;
    }

    public Map<String, String> room(String region, String room) {
        return hashes.hgetall(RedisKeys.room(region, room));
    }

    /** Whether region-router holds a reservation in the room that expires after {@code nowMillis} (a join on its way). */
    public boolean hasLiveReservation(String region, String room, long nowMillis) {
        return sortedSets.zcount(RedisKeys.room(region, room) + RedisKeys.RESERVATIONS,
                ScoreRange.from(nowMillis, Double.POSITIVE_INFINITY)) > 0;
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
