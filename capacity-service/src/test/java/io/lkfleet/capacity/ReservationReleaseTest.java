package io.lkfleet.capacity;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.SortedSetCommands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * region-router reserves a join (admit.lua); when the participant's {@code participant_joined}
 * is applied, its reservation (with its seat and its tenant's count) goes in the same script that
 * adds its real load, and reservations of others stay.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ReservationReleaseTest {
    static final String REGION = "eu-west";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;

    @Test
    void joiningTurnsTheRoutersReservationIntoLoad() {
        String room = "reserved-" + UUID.randomUUID();
        String node = "ND_reserved";
        String roomReservations = RedisKeys.room(REGION, room) + ":reservations";
        String nodeReservations = RedisKeys.node(REGION, node) + ":reservations";
        double expires = System.currentTimeMillis() + 600_000;
        SortedSetCommands<String, String> zsets = redis.sortedSet(String.class);
        // as admit.lua writes them: the first participant of the history below, and someone who never comes
        String first = "id-PA_" + room + "_0";
        zsets.zadd(roomReservations, expires, "rsv_a|" + first + "|P|0|0|" + node);
        zsets.zadd(nodeReservations, expires, "rsv_a|0|0");
        zsets.zadd(roomReservations, expires, "rsv_b|never-joins|S|4|6928|" + node);
        zsets.zadd(nodeReservations, expires, "rsv_b|4|6928");
        redis.hash(String.class).hset(RedisKeys.node(REGION, node) + ":reserved", Map.of("subs", "4", "kbps", "6928"));
        String tenantReservations = RedisKeys.region(REGION) + "tenant:acme:reservations";
        redis.hash(String.class).hset(RedisKeys.room(REGION, room) + ":reserved", Map.of("participants", "2",
                "publishers", "1", "seat:" + first, "4:acmersv_a|" + first + "|P|0|0|" + node,
                "seat:never-joins", "4:acmersv_b|never-joins|S|4|6928|" + node));
        zsets.zadd(tenantReservations, expires, "rsv_a");
        zsets.zadd(tenantReservations, expires, "rsv_b");

        try (KafkaProducer<String, String> producer = producer()) {
            for (WebhookEvents.Event e : WebhookEvents.roomReaching(room, RoomShape.meeting(2), 1_790_000_000L)) {
                WebhookConsumerTest.send(producer, REGION, e);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> zsets.zcard(roomReservations) == 1);
        assertEquals(List.of("rsv_b|never-joins|S|4|6928|" + node), zsets.zrange(roomReservations, 0, -1));
        assertEquals(List.of("rsv_b|4|6928"), zsets.zrange(nodeReservations, 0, -1));
        assertEquals("4", redis.hash(String.class).hget(RedisKeys.node(REGION, node) + ":reserved", "subs"),
                "the sums follow");
        assertEquals("1", redis.hash(String.class).hget(RedisKeys.room(REGION, room) + ":reserved", "participants"));
        assertEquals("0", redis.hash(String.class).hget(RedisKeys.room(REGION, room) + ":reserved", "publishers"));
        assertEquals(null, redis.hash(String.class).hget(RedisKeys.room(REGION, room) + ":reserved", "seat:" + first),
                "the joined identity's seat is free again");
        assertEquals(List.of("rsv_b"), zsets.zrange(tenantReservations, 0, -1), "the tenant's count follows");
    }

    /**
     * A second publisher's reservation (admit.lua priced it at 4 subscriptions: it receives alice's
     * camera and mic, alice receives its two) keeps only what the model does not count yet, so the
     * model's subscriptions plus the reservation stay at the priced 4 while it joins and publishes,
     * never 6 (the chaos scenario saw model 2 + reserved 4 on a node whose limit is 5).
     */
    @Test
    void aJoiningPublishersReservationKeepsOnlyWhatTheModelDoesNotCountYet() {
        String room = "drawn-" + UUID.randomUUID();
        String node = "ND_drawn";
        String sid = "RM_" + room;
        String bob = "PB_" + room;
        String roomReservations = RedisKeys.room(REGION, room) + ":reservations";
        String nodeReservations = RedisKeys.node(REGION, node) + ":reservations";
        String roomReserved = RedisKeys.room(REGION, room) + ":reserved";
        String nodeReserved = RedisKeys.node(REGION, node) + ":reserved";
        SortedSetCommands<String, String> zsets = redis.sortedSet(String.class);
        try (KafkaProducer<String, String> producer = producer()) {
            // alice alone with camera and mic (a visitor came and went)
            WebhookEvents.roomReaching(room, RoomShape.meeting(1), 1_790_000_000L)
                    .forEach(e -> WebhookConsumerTest.send(producer, REGION, e));
            await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(redis.hash(String.class)
                    .hget(RedisKeys.room(REGION, room), "participants")));
            // bob's reservation as admit.lua writes it: 4 subscriptions, 2 x (1700 + 32) kbit/s
            double expires = System.currentTimeMillis() + 600_000;
            zsets.zadd(roomReservations, expires, "rsv_p|id-" + bob + "|P|4|3464|" + node);
            zsets.zadd(nodeReservations, expires, "rsv_p|4|3464");
            redis.hash(String.class).hset(nodeReserved, Map.of("subs", "4", "kbps", "3464"));
            redis.hash(String.class).hset(roomReserved, Map.of("participants", "1", "publishers", "1",
                    "seat:id-" + bob, "4:acmersv_p|id-" + bob + "|P|4|3464|" + node));

            WebhookEvents.Clock clock = new WebhookEvents.Clock(1_790_000_100L);
            WebhookConsumerTest.send(producer, REGION, WebhookEvents.joined(room, sid, bob, clock));
            // joined: it receives alice's two tracks, so 2 of the 4 (and 1732 kbit/s) are in the model now
            await().atMost(Duration.ofSeconds(20)).until(() -> "2".equals(redis.hash(String.class)
                    .hget(nodeReserved, "subs")));
            assertEquals(List.of("rsv_p|id-" + bob + "|P|2|1732|" + node), zsets.zrange(roomReservations, 0, -1));
            assertEquals(List.of("rsv_p|2|1732"), zsets.zrange(nodeReservations, 0, -1));
            assertEquals("1732", redis.hash(String.class).hget(nodeReserved, "kbps"));
            assertEquals("4:acmersv_p|id-" + bob + "|P|2|1732|" + node,
                    redis.hash(String.class).hget(roomReserved, "seat:id-" + bob), "its seat names the drawn reservation");
            assertEquals(4, subscriptions(room) + 2, "model + reservation = the priced join");

            WebhookConsumerTest.send(producer, REGION, WebhookEvents.track(room, sid, "track_published", bob,
                    "TR_" + bob + "_mic", null, "MICROPHONE", clock));
            // its mic reaches alice: one more counted, one less reserved
            await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(redis.hash(String.class)
                    .hget(nodeReserved, "subs")));
            assertEquals(List.of("rsv_p|1|1700"), zsets.zrange(nodeReservations, 0, -1));
            assertEquals(4, subscriptions(room) + 1, "model + reservation = the priced join");

            WebhookConsumerTest.send(producer, REGION, WebhookEvents.track(room, sid, "track_published", bob,
                    "TR_" + bob + "_cam", "VIDEO", "CAMERA", clock));
            await().atMost(Duration.ofSeconds(20)).until(() -> zsets.zcard(roomReservations) == 0);
            assertEquals(0, zsets.zcard(nodeReservations));
            assertEquals("0", redis.hash(String.class).hget(nodeReserved, "subs"));
            assertEquals(4, subscriptions(room), "camera and mic published: all of it is in the model");
        }
    }

    /**
     * As above when bob joins before alice published anything: alice's tracks, priced in bob's
     * reservation (he receives them), leave his reservation as the model counts him receiving them;
     * model + reservations stay at the priced 4 through every step, in either publisher's order.
     */
    @Test
    void tracksOfOthersAJoinedPublisherReceivesLeaveItsReservation() {
        String room = "drawn-late-" + UUID.randomUUID();
        String node = "ND_drawn_late";
        String sid = "RM_" + room;
        String alice = "PA_" + room;
        String bob = "PB_" + room;
        String nodeReserved = RedisKeys.node(REGION, node) + ":reserved";
        double expires = System.currentTimeMillis() + 600_000;
        SortedSetCommands<String, String> zsets = redis.sortedSet(String.class);
        zsets.zadd(RedisKeys.room(REGION, room) + ":reservations", expires, "rsv_a|id-" + alice + "|P|0|0|" + node);
        zsets.zadd(RedisKeys.room(REGION, room) + ":reservations", expires, "rsv_b|id-" + bob + "|P|4|3464|" + node);
        zsets.zadd(RedisKeys.node(REGION, node) + ":reservations", expires, "rsv_a|0|0");
        zsets.zadd(RedisKeys.node(REGION, node) + ":reservations", expires, "rsv_b|4|3464");
        redis.hash(String.class).hset(nodeReserved, Map.of("subs", "4", "kbps", "3464"));
        // with each identity's seat naming its member, as admit.lua writes them
        redis.hash(String.class).hset(RedisKeys.room(REGION, room) + ":reserved", Map.of("participants", "2",
                "publishers", "2", "seat:id-" + alice, "4:acmersv_a|id-" + alice + "|P|0|0|" + node,
                "seat:id-" + bob, "4:acmersv_b|id-" + bob + "|P|4|3464|" + node));
        WebhookEvents.Clock clock = new WebhookEvents.Clock(1_790_000_000L);
        List<WebhookEvents.Event> steps = List.of(WebhookEvents.joined(room, sid, alice, clock),
                WebhookEvents.joined(room, sid, bob, clock),
                WebhookEvents.track(room, sid, "track_published", bob, "TR_b_mic", null, "MICROPHONE", clock),
                WebhookEvents.track(room, sid, "track_published", alice, "TR_a_mic", null, "MICROPHONE", clock),
                WebhookEvents.track(room, sid, "track_published", alice, "TR_a_cam", "VIDEO", "CAMERA", clock),
                WebhookEvents.track(room, sid, "track_published", bob, "TR_b_cam", "VIDEO", "CAMERA", clock));
        long[] model = {0, 0, 1, 2, 3, 4};
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < steps.size(); i++) {
                WebhookConsumerTest.send(producer, REGION, steps.get(i));
                long expected = model[i];
                await().atMost(Duration.ofSeconds(20)).until(() -> redis.hash(String.class)
                        .hget(RedisKeys.room(REGION, room), "subscriptions") != null && subscriptions(room) == expected);
                assertEquals(4, subscriptions(room) + Long.parseLong(redis.hash(String.class).hget(nodeReserved,
                        "subs")), "model + reservations = the priced call after " + steps.get(i).type() + " " + i);
            }
        }
        assertEquals(0, zsets.zcard(RedisKeys.room(REGION, room) + ":reservations"), "both published: both released");
        assertEquals(0, redis.set(String.class).scard(RedisKeys.room(REGION, room) + ":drawing"),
                "no joined publisher is drawn from any more");
        assertEquals(List.of("participants", "publishers"), List.copyOf(new TreeSet<>(redis.hash(String.class)
                .hkeys(RedisKeys.room(REGION, room) + ":reserved"))), "both seats are free again");
        assertEquals("0", redis.hash(String.class).hget(nodeReserved, "kbps"));
    }

    private long subscriptions(String room) {
        return Long.parseLong(redis.hash(String.class).hget(RedisKeys.room(REGION, room), "subscriptions"));
    }

    private KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
