package io.lkfleet.e2e;

import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.LocalFleet;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the end-to-end tests that route joins: they share {@link E2eFleet}'s small nodes, so each
 * test starts, and each class ends, with an idle fleet (one leftover call would fill a node).
 */
abstract class FleetTest {
    static LocalFleet fleet;

    @BeforeAll
    static void startFleet() {
        fleet = E2eFleet.fleet();
    }

    @BeforeEach
    void startIdle() {
        E2eFleet.awaitIdle();
    }

    @AfterAll
    static void leaveIdle() {
        E2eFleet.awaitIdle();
    }

    /** The routing decision on {@code identity}'s join of {@code room}, read from {@code fleet.decisions} as its contract. */
    static DecisionRecord decision(String room, String identity) {
        try (KafkaConsumer<String, String> consumer = auditor(Topics.DECISIONS)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    DecisionRecord decision = readDecision(record.value());
                    if (room.equals(decision.room()) && identity.equals(decision.identity())) {
                        return decision;
                    }
                }
            }
        }
        throw new AssertionError("no decision on " + identity + " joining " + room + " in " + Topics.DECISIONS);
    }

    /** A consumer of {@code topic} from its beginning, in a group of its own. */
    static KafkaConsumer<String, String> auditor(String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", fleet.layout().kafkaBootstrap());
        props.put("group.id", "scenario-audit-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    static DecisionRecord readDecision(String json) {
        try {
            return E2eFleet.JSON.readValue(json, DecisionRecord.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
