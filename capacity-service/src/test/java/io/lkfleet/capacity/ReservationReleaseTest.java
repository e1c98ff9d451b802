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

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
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
}
