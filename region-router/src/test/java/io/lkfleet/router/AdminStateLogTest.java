package io.lkfleet.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.contract.AdminState;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every drain and booking is in the compacted {@code fleet.admin-state} (real Kafka) by the time the
 * admin call answers, and withdrawing it leaves a tombstone under the same key: what capacity-service
 * restores after lkfleet's Redis came back empty.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class AdminStateLogTest {
    @Inject
    RedisDataSource redis;

    @BeforeEach
    void registriesRead() {
        ModelMarks.markRebuilt(redis, "eu-west", "eu-central");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Callers.admin().get("/v1/admin/nodes").jsonPath()
                .getList("node_id").size() == 4);
    }

    @Test
    void drainsAndBookingsAreRecordedWhenAnsweredAndWithdrawnByTombstones() {
        String node = Callers.admin().get("/v1/admin/nodes").jsonPath().getString("find { it.region == 'eu-west' }.node_id");
        String drainKey = new AdminState.Drain("eu-west", node).key();
        Callers.admin().post("/v1/admin/nodes/" + node + "/drain").then().statusCode(200);
        assertEquals("draining", latest().get(drainKey), "recorded before the call answered");

        String webinar = "admin-state-" + UUID.randomUUID();
        Instant until = Instant.now().plusSeconds(600);
        String booked = Callers.admin().contentType("application/json").body(Map.of("room", webinar, "region", "eu-west",
                "participants", 20, "publishers", 1, "until", until.toString()))
                .post("/v1/scheduled-rooms").then().statusCode(201).extract().path("nodeId");
        String bookingKey = AdminState.Booking.key("eu-west", webinar);
        assertEquals(new AdminState.Booking("eu-west", webinar, booked, 20, until.toEpochMilli()).value(),
                latest().get(bookingKey));

        Callers.admin().delete("/v1/admin/nodes/" + node + "/drain").then().statusCode(200);
        Callers.admin().delete("/v1/scheduled-rooms/eu-west/" + webinar).then().statusCode(204);
        Map<String, String> after = latest();
        assertTrue(after.containsKey(drainKey) && after.containsKey(bookingKey), "withdrawn under the same keys");
        assertNull(after.get(drainKey), "undrain is a tombstone");
        assertNull(after.get(bookingKey), "release is a tombstone");
    }

    /** The latest value per key in the topic (null for a tombstone). */
    private static Map<String, String> latest() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestFleet.get().layout().kafkaBootstrap());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.ADMIN_STATE).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            Map<String, String> latest = new HashMap<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> latest.put(r.key(), r.value()));
            }
            return latest;
        }
    }
}
