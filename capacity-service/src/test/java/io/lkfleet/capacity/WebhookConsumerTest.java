package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The consumer against the real broker: records in webhook-ingest's format (key {@code region/room},
 * lkfleet headers) become the model in Redis; redelivered records change nothing; a record that can
 * never be applied goes to the dead-letter topic and the stream carries on behind it.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class WebhookConsumerTest {
    static final String REGION = "eu-west";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;
    @Inject
    CapacityModel model;

    @Test
    void appliesTopicRecordsOnceEvenWhenDeliveredTwice() {
        String room = "consumer-" + UUID.randomUUID();
        RoomShape shape = new RoomShape(5, 3, 0);
        List<WebhookEvents.Event> events = WebhookEvents.roomReaching(room, shape, System.currentTimeMillis() / 1000);
        try (KafkaProducer<String, String> producer = producer()) {
            events.forEach(e -> send(producer, REGION, e));
            producer.flush();
            awaitRoom(room, model.cost(shape).subscriptions(), shape.participants());
            Map<String, String> once = RedisDump.of(redis, REGION);
            Map<String, OptionalDouble> appliedOnce = appliedScores(events);
            assertTrue(appliedOnce.values().stream().allMatch(OptionalDouble::isPresent), "every event is recorded");
            double duplicatesBefore = duplicates();

            events.forEach(e -> send(producer, REGION, e));
            producer.flush();
            // The de-duplication itself: every redelivered event is answered 'duplicate' by the apply
            // script (the room's shape is recomputed from its sets, so state alone cannot tell).
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(
                    duplicates() - duplicatesBefore >= events.size(),
                    "redelivered events counted as duplicates: " + (duplicates() - duplicatesBefore) + " of "
                            + events.size()));
            Map<String, String> twice = RedisDump.of(redis, REGION);
            once.keySet().stream().filter(k -> k.contains(room)).forEach(k -> assertEquals(once.get(k), twice.get(k), k));
            assertEquals(appliedOnce, appliedScores(events), "the idempotency record is untouched");
        }
    }

    /** {@code lkfleet_capacity_events_total{outcome="duplicate",region="eu-west"}} as Prometheus shows it. */
    private static double duplicates() {
        Matcher line = Pattern.compile("(?m)^lkfleet_capacity_events_total\\{outcome=\"duplicate\",region=\"" + REGION
                + "\"} ([0-9.E]+)$").matcher(given().get("/q/metrics").asString());
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    /** The applied-events record of {@code events}: event id → score (empty: not recorded). */
    private Map<String, OptionalDouble> appliedScores(List<WebhookEvents.Event> events) {
        Map<String, OptionalDouble> scores = new TreeMap<>();
        events.forEach(e -> scores.put(e.id(), redis.sortedSet(String.class).zscore(RedisKeys.appliedEvents(REGION),
                e.id())));
        return scores;
    }

    @Test
    void sendsUnapplicableRecordsToTheDeadLetterTopicAndKeepsConsuming() {
        String room = "after-poison-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.WEBHOOKS, REGION + "/poison", "{not json"));
            send(producer, "nowhere", WebhookEvents.roomReaching("poison-2", RoomShape.meeting(2), 1).get(0));
            List<WebhookEvents.Event> events = WebhookEvents.roomReaching(room, RoomShape.meeting(3), 1_790_000_000L);
            events.forEach(e -> send(producer, REGION, e));
            producer.flush();
        }
        awaitRoom(room, model.cost(RoomShape.meeting(3)).subscriptions(), 3);

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> dlq = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            dlq.subscribe(List.of(io.lkfleet.capacity.listener.WebhookListener.DEAD_LETTER_TOPIC));
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : dlq.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
                return values.contains("{not json") && values.stream().anyMatch(v -> v.contains("poison-2"));
            });
        }
    }

    private void awaitRoom(String room, long subscriptions, int participants) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("region", REGION)
                .get("/v1/rooms/{room}", room).then().statusCode(200)
                .body("totalSubscriptions", equalTo((int) subscriptions))
                .body("participants", equalTo(participants)));
    }

    static Future<RecordMetadata> send(KafkaProducer<String, String> producer, String region, WebhookEvents.Event e) {
        return send(producer, region, e, null);
    }

    static Future<RecordMetadata> send(KafkaProducer<String, String> producer, String region, WebhookEvents.Event e,
            Callback callback) {
        return producer.send(new ProducerRecord<>(Topics.WEBHOOKS, null, region + "/" + e.room(), e.json(),
                WebhookHeaders.of(region, e.type(), e.id()).toKafka()), callback);
    }

    private KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
