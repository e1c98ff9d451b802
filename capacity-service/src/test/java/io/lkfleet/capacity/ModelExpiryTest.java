package io.lkfleet.capacity;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.capacity.listener.WebhookParser;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Bounded memory (issue 13.6) against the real Redis: a finished room's keys and a gone node's
 * hash leave Redis after {@code capacity.finished-room-ttl} (3 s here), a room name reused by a new
 * session does not, and a gone node whose hash went leaves the region's index. Each test writes its
 * own region namespace, so the fleet's own model is not touched.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
@TestProfile(ModelExpiryTest.ShortWindow.class)
class ModelExpiryTest {
    private static final Duration WINDOW = Duration.ofSeconds(3);

    public static class ShortWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("capacity.finished-room-ttl", WINDOW.toSeconds() + "s");
        }
    }

    @Inject
    LoadStore store;
    @Inject
    WebhookParser parser;
    @Inject
    RedisDataSource redis;

    @Test
    void aFinishedRoomsKeysExpireAfterTheWindow() {
        String region = "expiry-finished-" + UUID.randomUUID();
        ModelMarks.markRebuilt(redis, region);
        String room = "done";
        apply(region, WebhookEvents.finishedRoom(room, 1_790_000_000L));
        KeyCommands<String> keys = redis.key(String.class);
        assertEquals("1", store.room(region, room).get("finished"), "the tombstone is there at first");
        long ttl = keys.pttl(RedisKeys.room(region, room));
        assertTrue(ttl > 0 && ttl <= WINDOW.toMillis(), "expires within the window: " + ttl);
        for (String part : List.of(RedisKeys.roomParticipants(region, room), RedisKeys.roomTracks(region, room),
                RedisKeys.roomEgress(region, room), RedisKeys.roomPublished(region, room))) {
            assertFalse(keys.exists(part), part + " goes with the session");
        }
        assertFalse(store.rooms(region).contains(room));
        await().atMost(Duration.ofSeconds(15)).until(() -> !keys.exists(RedisKeys.room(region, room)));
        // SCAN, not KEYS: capacity-service's Redis user may not run KEYS
        List<String> left = new ArrayList<>();
        keys.scan(new KeyScanArgs().match(RedisKeys.regionPattern(region)).count(1000)).toIterable().forEach(left::add);
        assertEquals(List.of(), left.stream().filter(k -> k.contains(":room:")).toList(), "nothing of the room is left");
    }

    @Test
    void aRoomNameReusedByANewSessionKeepsItsKeys() {
        String region = "expiry-reused-" + UUID.randomUUID();
        ModelMarks.markRebuilt(redis, region);
        String room = "standup";
        apply(region, WebhookEvents.finishedRoom(room, 1_790_000_000L));
        // the next day's stand-up: same name, new room sid
        List<WebhookEvents.Event> next = WebhookEvents.roomReaching(room, RoomShape.meeting(2), 1_790_086_400L)
                .stream().map(e -> new WebhookEvents.Event(e.room(), e.id(), e.type(), e.json().replace("RM_" + room,
                        "RM_" + room + "_next"))).toList();
        apply(region, next);
        assertEquals("2", store.room(region, room).get("participants"));
        assertEquals(-1, redis.key(String.class).pttl(RedisKeys.room(region, room)), "a live room never expires");
    }

    @Test
    void aGoneNodesHashExpiresAndThenLeavesTheIndex() {
        String region = "expiry-node-" + UUID.randomUUID();
        ModelMarks.markRebuilt(redis, region);
        String node = "ND_expiring";
        KeyCommands<String> keys = redis.key(String.class);
        store.syncNode(region, node, true, Map.of("state", "SERVING"), LoadStore.LIVE);
        assertEquals(-1, keys.pttl(RedisKeys.node(region, node)), "a serving node never expires");
        assertEquals(0, store.syncNode(region, node, false, Map.of(), LoadStore.LIVE), "marked gone, no rooms lost");
        assertTrue(keys.pttl(RedisKeys.node(region, node)) > 0);
        assertTrue(store.nodes(region).contains(node), "a gone node is shown for the window");
        await().atMost(Duration.ofSeconds(15)).until(() -> !keys.exists(RedisKeys.node(region, node)));
        // the registry poller still lists it as known and not registered: it leaves the index
        assertEquals(-1, store.syncNode(region, node, false, Map.of(), LoadStore.LIVE));
        assertFalse(store.nodes(region).contains(node));
        assertFalse(keys.exists(RedisKeys.node(region, node)), "not written again");
    }

    private void apply(String region, List<WebhookEvents.Event> events) {
        store.applyAll(events.stream().map(e -> parser.parse(region, e.json())).toList())
                .await().atMost(Duration.ofSeconds(10));
    }
}
