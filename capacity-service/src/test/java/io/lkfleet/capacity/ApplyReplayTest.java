package io.lkfleet.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.capacity.listener.WebhookParser;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The apply script against the fleet's real Redis: duplicates and reordering within a room give
 * exactly the state of the clean run, and that state is the capacity model's arithmetic. Each run
 * writes its own region namespace so runs can be compared key by key.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ApplyReplayTest {
    static final Map<String, RoomShape> SHAPES = new LinkedHashMap<>();
    static {
        SHAPES.put("meeting", RoomShape.meeting(4));
        SHAPES.put("webinar", new RoomShape(12, 2, 1));
        SHAPES.put("mixed", new RoomShape(6, 3, 0));
    }
    private static final String NODE = "ND_replay";

    @Inject
    LoadStore store;
    @Inject
    WebhookParser parser;
    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = LocalFleetResource.ADMIN_REDIS_URI)
    String adminRedisUri;
    @Inject
    CapacityModel model;

    /** Every room's history; the events of one room are in LiveKit's order. */
    static Map<String, List<WebhookEvents.Event>> histories() {
        Map<String, List<WebhookEvents.Event>> rooms = new LinkedHashMap<>();
        long start = 1_780_000_000L;
        for (Map.Entry<String, RoomShape> room : SHAPES.entrySet()) {
            rooms.put(room.getKey(), WebhookEvents.roomReaching(room.getKey(), room.getValue(), start));
            start += 10_000;
        }
        rooms.put("closed", WebhookEvents.finishedRoom("closed", start));
        return rooms;
    }

    @Test
    void roomAndNodeLoadEqualTheCapacityModelsArithmetic() {
        Map<String, String> clean = run("replay-model", inOrder(histories()));
        for (Map.Entry<String, RoomShape> room : SHAPES.entrySet()) {
            Map<String, String> h = store.room("replay-model", room.getKey());
            RoomCost cost = model.cost(room.getValue());
            assertEquals(Long.toString(room.getValue().participants()), h.get("participants"), room.getKey());
            assertEquals(Long.toString(room.getValue().publishers()), h.get("publishers"), room.getKey());
            assertEquals(Long.toString(cost.videoSubscriptions()), h.get("video_subs"), room.getKey());
            assertEquals(Long.toString(cost.audioSubscriptions()), h.get("audio_subs"), room.getKey());
            assertEquals(Long.toString(cost.screenShareSubscriptions()), h.get("screen_subs"), room.getKey());
            assertEquals(Long.toString(cost.subscriptions()), h.get("subscriptions"), room.getKey());
            assertEquals(Long.toString(cost.egressKbps()), h.get("egress_kbps"), room.getKey());
            assertEquals("1", h.get("egress_active"), room.getKey());
        }
        long onNode = model.cost(SHAPES.get("meeting")).subscriptions() + model.cost(SHAPES.get("webinar")).subscriptions();
        Map<String, String> node = store.node("replay-model", NODE);
        assertEquals(Long.toString(onNode), node.get("subscriptions"));
        assertEquals("2", node.get("rooms"));
        assertEquals("16", node.get("participants"));
        Map<String, String> totals = store.totals("replay-model");
        assertEquals("3", totals.get("rooms"), "the closed room no longer counts");
        assertEquals(Long.toString(SHAPES.values().stream().mapToLong(s -> model.cost(s).subscriptions()).sum()),
                totals.get("subscriptions"));
        assertEquals("1", store.room("replay-model", "closed").get("finished"));
        assertEquals("0", store.room("replay-model", "closed").get("participants"));
        System.out.printf("model state: %d keys; node %s carries %s subscriptions%n", clean.size(), NODE,
                node.get("subscriptions"));
    }

    @Test
    void replayingEveryEventTwiceGivesTheStateOfTheCleanRun() {
        Map<String, List<WebhookEvents.Event>> histories = histories();
        Map<String, String> clean = run("replay-clean", inOrder(histories));
        List<WebhookEvents.Event> twice = new ArrayList<>();
        for (WebhookEvents.Event e : inOrder(histories)) {
            twice.add(e);
            twice.add(e);
        }
        twice.addAll(inOrder(histories));
        assertEquals(clean, run("replay-twice", twice));
    }

    @Test
    void shufflingEventsWithinEachRoomGivesTheStateOfTheCleanRun() {
        Map<String, List<WebhookEvents.Event>> histories = histories();
        Map<String, String> clean = run("replay-clean-2", inOrder(histories));
        for (long seed = 1; seed <= 5; seed++) {
            // shuffled, and a third of the events delivered once more
            List<WebhookEvents.Event> shuffled = shuffled(histories, new Random(seed));
            shuffled.addAll(shuffled.subList(0, shuffled.size() / 3));
            assertEquals(clean, run("replay-shuffled-" + seed, shuffled), "seed " + seed);
        }
    }

    @Test
    void applyingInPipelinedPollsGivesTheStateOfOneEventAtATime() {
        Map<String, List<WebhookEvents.Event>> histories = histories();
        Map<String, String> clean = run("replay-clean-3", inOrder(histories));
        List<WebhookEvents.Event> shuffled = shuffled(histories, new Random(16));
        shuffled.addAll(shuffled.subList(0, shuffled.size() / 2));
        Map<String, String> oneByOne = run("replay-one-by-one", shuffled);
        for (int poll : List.of(7, 50, shuffled.size())) {
            String region = "replay-polls-" + poll;
            Map<String, String> polled = run(region, shuffled, poll, (events, outcomes) -> {
                // an event twice in one poll: applied at its first place, a duplicate at its second
                for (int i = 0; i < events.size(); i++) {
                    if (events.subList(0, i).contains(events.get(i))) {
                        assertEquals(LoadStore.DUPLICATE, outcomes.get(i), events.get(i).id());
                    }
                }
            });
            assertEquals(oneByOne, polled, "polls of " + poll);
        }
        assertEquals(clean, run("replay-polls-in-order", inOrder(histories), 25, (events, outcomes) -> {
            assertEquals(Collections.nCopies(events.size(), LoadStore.APPLIED), outcomes);
        }));
    }

    @Test
    void twoInstancesApplyingTheSamePollsAtOnceCountEveryEventOnce() {
        Map<String, List<WebhookEvents.Event>> histories = histories();
        Map<String, String> clean = run("replay-clean-4", inOrder(histories));
        String region = "replay-two-instances";
        store.wipe(region);
        ModelMarks.markRebuilt(redis, region);
        store.assignRoom(region, "meeting", NODE, LoadStore.LIVE);
        // after a rebalance, a poll one instance was applying is delivered to another one as well
        List<WebhookChange> changes = inOrder(histories).stream().map(e -> parser.parse(region, e.json())).toList();
        List<List<String>> outcomes = Uni.join().all(store.applyAll(changes), store.applyAll(changes)).andFailFast()
                .await().atMost(Duration.ofSeconds(20));
        for (int i = 0; i < changes.size(); i++) {
            assertEquals(Set.of(LoadStore.APPLIED, LoadStore.DUPLICATE), Set.of(outcomes.get(0).get(i),
                    outcomes.get(1).get(i)), changes.get(i).eventId());
        }
        store.assignRoom(region, "webinar", NODE, LoadStore.LIVE);
        assertEquals(clean, RedisDump.of(redis, region));
    }

    @Test
    void aPollAppliesAfterRedisForgotTheScript() throws Exception {
        Map<String, List<WebhookEvents.Event>> histories = histories();
        Map<String, String> clean = run("replay-clean-5", inOrder(histories));
        flushScripts();
        assertEquals(clean, run("replay-after-flush", inOrder(histories), 1000, (events, outcomes) -> {
        }));
    }

    @Test
    void aRoomsCountsEqualItsObjectsThroughChurnInAnyOrder() {
        for (long seed = 1; seed <= 3; seed++) {
            String region = "replay-churn-" + seed;
            Random random = new Random(seed);
            List<WebhookEvents.Event> events = new ArrayList<>(WebhookEvents.churn("big", 300, random, 1_781_000_000L));
            Collections.shuffle(events.subList(1, events.size()), random);
            events.addAll(events.subList(0, events.size() / 4));
            run(region, events, 100, (poll, outcomes) -> {
            });
            assertCountsEqualObjects(region, "big", "seed " + seed);
        }
    }

    @Test
    void aRoomCountedBeforeThePublishedIndexGetsItAtItsNextEvent() {
        String region = "replay-migrated";
        Random random = new Random(7);
        List<WebhookEvents.Event> events = WebhookEvents.churn("old", 60, random, 1_782_000_000L);
        int half = events.size() / 2;
        run(region, events.subList(0, half), 50, (poll, outcomes) -> {
        });
        // as an earlier apply_event.lua left the room: its counts, no index of tracks by owner
        redis.key(String.class).del(RedisKeys.roomPublished(region, "old"));
        redis.hash(String.class).hdel(RedisKeys.room(region, "old"), "published_by_owner");
        store.applyAll(events.subList(half, events.size()).stream().map(e -> parser.parse(region, e.json())).toList())
                .await().atMost(Duration.ofSeconds(10));
        assertCountsEqualObjects(region, "old", "migrated");
    }

    /** The room's counts against its objects, counted here from scratch: every active participant receives every track of the others. */
    private void assertCountsEqualObjects(String region, String room, String message) {
        Map<String, String> parts = redis.hash(String.class).hgetall(RedisKeys.roomParticipants(region, room));
        Set<String> active = new HashSet<>();
        parts.forEach((sid, state) -> {
            if (state.equals("J")) {
                active.add(sid);
            }
        });
        Map<String, Long> byKind = new HashMap<>(Map.of("video", 0L, "audio", 0L, "screen", 0L));
        Set<String> publishers = new HashSet<>();
        for (String track : redis.hash(String.class).hgetall(RedisKeys.roomTracks(region, room)).values()) {
            int bar = track.lastIndexOf('|');
            if (bar > 0 && active.contains(track.substring(0, bar))) {
                byKind.merge(track.substring(bar + 1), 1L, Long::sum);
                publishers.add(track.substring(0, bar));
            }
        }
        long egress = redis.hash(String.class).hgetall(RedisKeys.roomEgress(region, room)).values().stream()
                .filter("A"::equals).count();
        long others = Math.max(active.size() - 1, 0);
        Map<String, String> h = store.room(region, room);
        assertTrue(active.size() > 10 && publishers.size() > 5, message + ": the churn leaves a busy room");
        assertEquals(Integer.toString(active.size()), h.get("participants"), message);
        assertEquals(Integer.toString(publishers.size()), h.get("publishers"), message);
        assertEquals(Long.toString(byKind.get("video")), h.get("video_tracks"), message);
        assertEquals(Long.toString(byKind.get("audio")), h.get("audio_tracks"), message);
        assertEquals(Long.toString(byKind.get("screen")), h.get("screen_tracks"), message);
        assertEquals(Long.toString(egress), h.get("egress_active"), message);
        assertEquals(Long.toString((byKind.get("video") + byKind.get("audio") + byKind.get("screen")) * others),
                h.get("subscriptions"), message);
        assertEquals(h.get("subscriptions"), store.totals(region).get("subscriptions"), message);
    }

    /** SCRIPT FLUSH as the harness's admin: capacity-service's own Redis user may not run it. */
    private void flushScripts() throws Exception {
        Redis admin = Redis.createClient(vertx, adminRedisUri);
        try {
            admin.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } finally {
            admin.close();
        }
    }

    /**
     * Applies {@code events} to {@code region} from empty: the meeting is placed on a node before its
     * events, the webinar after them, as the registry poller may do either. Returns the canonical dump.
     */
    private Map<String, String> run(String region, List<WebhookEvents.Event> events) {
        return run(region, events, 1, (poll, outcomes) -> {
        });
    }

    /** As {@link #run(String, List)}, {@code poll} events at a time through {@link LoadStore#applyAll}. */
    private Map<String, String> run(String region, List<WebhookEvents.Event> events, int poll,
            BiConsumer<List<WebhookEvents.Event>, List<String>> check) {
        store.wipe(region);
        ModelMarks.markRebuilt(redis, region);
        store.assignRoom(region, "meeting", NODE, LoadStore.LIVE);
        for (int from = 0; from < events.size(); from += poll) {
            List<WebhookEvents.Event> batch = events.subList(from, Math.min(events.size(), from + poll));
            List<String> outcomes = store.applyAll(batch.stream().map(e -> parser.parse(region, e.json())).toList())
                    .await().atMost(Duration.ofSeconds(10));
            assertEquals(batch.size(), outcomes.size());
            check.accept(batch, outcomes);
        }
        store.assignRoom(region, "webinar", NODE, LoadStore.LIVE);
        return RedisDump.of(redis, region);
    }

    private static List<WebhookEvents.Event> inOrder(Map<String, List<WebhookEvents.Event>> rooms) {
        return rooms.values().stream().flatMap(List::stream).toList();
    }

    /** Each room's events shuffled, rooms interleaved at random. */
    private static List<WebhookEvents.Event> shuffled(Map<String, List<WebhookEvents.Event>> rooms, Random random) {
        List<List<WebhookEvents.Event>> queues = new ArrayList<>();
        rooms.values().forEach(events -> {
            List<WebhookEvents.Event> copy = new ArrayList<>(events);
            Collections.shuffle(copy, random);
            queues.add(copy);
        });
        List<WebhookEvents.Event> merged = new ArrayList<>();
        while (!queues.isEmpty()) {
            List<WebhookEvents.Event> queue = queues.get(random.nextInt(queues.size()));
            merged.add(queue.remove(0));
            if (queue.isEmpty()) {
                queues.remove(queue);
            }
        }
        return merged;
    }
}
