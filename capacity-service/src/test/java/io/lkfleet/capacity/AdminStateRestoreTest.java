package io.lkfleet.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.contract.AdminState;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * region-router's drains and bookings outlive lkfleet's Redis: after the region's keys are gone (as
 * after an empty restart), the rebuild puts back exactly the decisions in force in the compacted
 * {@code fleet.admin-state} (real Kafka, real Redis) before it marks the model whole.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class AdminStateRestoreTest {
    static final String REGION = "eu-central";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;

    @Test
    void drainsAndBookingsInForceComeBackAfterRedisLostThem() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        long inAnHour = System.currentTimeMillis() + 3_600_000;
        AdminState.Drain drained = new AdminState.Drain(REGION, "ND_drained-" + run);
        AdminState.Drain undrained = new AdminState.Drain(REGION, "ND_undrained-" + run);
        AdminState.Booking booked = new AdminState.Booking(REGION, "webinar|" + run, "ND_booked-" + run, 500, inAnHour);
        AdminState.Booking released = new AdminState.Booking(REGION, "released-" + run, "ND_released-" + run, 9, inAnHour);
        AdminState.Booking over = new AdminState.Booking(REGION, "over-" + run, "ND_over-" + run, 9, 1_000L);
        AdminState.Drain elsewhere = new AdminState.Drain("eu-west", "ND_west-" + run);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (AdminState decision : List.of(drained, undrained, booked, released, over, elsewhere)) {
                producer.send(new ProducerRecord<>(Topics.ADMIN_STATE, decision.key(), decision.value())).get();
            }
            producer.send(new ProducerRecord<>(Topics.ADMIN_STATE, undrained.key(), null)).get();
            producer.send(new ProducerRecord<>(Topics.ADMIN_STATE, released.key(), null)).get();
        }

        loseRegion();
        ModelMarks.awaitRebuilt(redis, REGION);

        Set<String> draining = redis.set(String.class).smembers(RedisKeys.region(REGION) + RedisKeys.DRAINING);
        assertTrue(draining.contains(drained.nodeId()), "a drain in force is back");
        assertTrue(draining.stream().noneMatch(n -> n.equals(undrained.nodeId()) || n.equals(elsewhere.nodeId())),
                "withdrawn and other regions' drains are not");
        Map<String, String> scheduled = redis.hash(String.class).hgetall(RedisKeys.region(REGION) + RedisKeys.SCHEDULED);
        assertEquals(booked.scheduledEntry(), scheduled.get(booked.nodeId()), "a booking in force is back");
        assertTrue(!scheduled.containsKey(released.nodeId()) && !scheduled.containsKey(over.nodeId()),
                "released and past bookings are not");
    }

    /** Deletes every key of the region, the model's mark and region-router's keys included. */
    private void loseRegion() {
        var cursor = redis.key(String.class).scan(new KeyScanArgs().match(RedisKeys.regionPattern(REGION)).count(1000));
        while (cursor.hasNext()) {
            List<String> batch = List.copyOf(cursor.next());
            if (!batch.isEmpty()) {
                redis.key(String.class).del(batch.toArray(String[]::new));
            }
        }
    }
}
