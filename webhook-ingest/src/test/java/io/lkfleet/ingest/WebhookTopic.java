package io.lkfleet.ingest;

import static org.awaitility.Awaitility.await;

import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.local.testing.TestFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@link Topics#WEBHOOKS} on the real broker from the moment it is opened: every partition,
 * no consumer group, read_committed not needed (the service does not use transactions).
 */
final class WebhookTopic implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    WebhookTopic() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestFleet.get().layout().kafkaBootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        partitions = consumer.partitionsFor(Topics.WEBHOOKS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
    }

    /** Polls until {@code done} holds for everything read since opening. */
    List<ConsumerRecord<String, byte[]>> until(Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            poll();
            return done.test(records);
        });
        return List.copyOf(records);
    }

    /** Everything in the topic up to its current end: complete for every record acked before this call. */
    List<ConsumerRecord<String, byte[]>> toEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        return until(r -> end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()),
                Duration.ofSeconds(30));
    }

    private void poll() {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
    }

    /**
     * The record's headers read as capacity-service reads them ({@link WebhookHeaders}, the writer's
     * side of that contract): a record the consumers could not read fails the test.
     */
    static WebhookHeaders headers(ConsumerRecord<String, byte[]> record) {
        return WebhookHeaders.read(record.headers()).orElseThrow(() -> new AssertionError(
                "record " + record.partition() + "@" + record.offset() + " has headers no consumer can read: "
                        + record.headers()));
    }

    static String eventId(ConsumerRecord<String, byte[]> record) {
        return headers(record).eventId();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
