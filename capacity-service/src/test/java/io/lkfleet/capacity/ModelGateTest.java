package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.capacity.listener.WebhookParser;
import io.lkfleet.capacity.service.TopicReader;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.capacity.store.ModelClaim;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Redis, not a JVM, holds the model's writers back while a region is rebuilt: every write without
 * the rebuild's claim is refused, whichever instance sends it; the live stream's refused events are
 * retried and applied once the rebuild released the region, and events older than its snapshot are
 * skipped (the snapshot holds their effect).
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ModelGateTest {
    static final String REGION = "eu-central";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;
    @Inject
    ModelClaim claims;
    @Inject
    LoadStore store;
    @Inject
    WebhookParser parser;
    @Inject
    TopicReader topics;

    @Test
    void writesWithoutTheClaimWaitForTheRebuildAndNoneIsLost() throws Exception {
        ModelMarks.awaitRebuilt(redis, REGION);
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<WebhookEvents.Event> before = WebhookEvents.roomReaching("gate-before-" + run, RoomShape.meeting(2), 1);
        List<WebhookEvents.Event> during = WebhookEvents.roomReaching("gate-during-" + run, RoomShape.meeting(2), 1);
        double skippedBefore = skipped();
        String claim = claims.claim(REGION, Duration.ofSeconds(60)).orElseThrow();
        Map<Integer, Long> resumeAt = Map.of();
        try {
            // any writer without the claim, of this instance or of another: Redis refuses it
            WebhookChange change = parser.parse(REGION, during.get(0).json());
            assertThrows(LoadStore.ModelClosed.class, () -> store.applyAll(List.of(change)).await()
                    .atMost(Duration.ofSeconds(5)));
            assertThrows(LoadStore.ModelClosed.class, () -> store.syncNode(REGION, "ND_gate-" + run, true,
                    Map.of("m_num_rooms", "0"), LoadStore.LIVE));
            produce(before);
            // as a rebuild does: the offsets noted before its read of LiveKit
            resumeAt = topics.endOffsets(Topics.WEBHOOKS).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
            produce(during);
        } finally {
            // released whatever happened, so the region is not left closed for the other tests
            assertTrue(claims.release(REGION, claim, resumeAt));
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("region", REGION)
                .get("/v1/rooms/{room}", "gate-during-" + run).then().statusCode(200)
                .body("participants", equalTo(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> skipped() - skippedBefore >= before.size());
        assertEquals(404, given().queryParam("region", REGION).get("/v1/rooms/{room}", "gate-before-" + run)
                .statusCode(), "events the snapshot holds are not applied again");
    }

    /**
     * A poll Redis refuses for longer than the Kafka channel's commit strategy lets a record stay
     * unacknowledged by default (60 s) is retried until Redis applies it, and the stream goes on
     * behind it: with that default the channel failed for good and nothing more was consumed until
     * a restart (seen 2026-12-03). Here the region stays closed 70 s with the poll waiting.
     */
    @Test
    void aPollRefusedForMoreThanAMinuteIsAppliedAndTheStreamGoesOn() throws Exception {
        ModelMarks.awaitRebuilt(redis, REGION);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String held = "stuck-held-" + run;
        String after = "stuck-after-" + run;
        String claim = claims.claim(REGION, Duration.ofSeconds(150)).orElseThrow();
        try {
            produce(WebhookEvents.roomReaching(held, RoomShape.meeting(2), 1));
            Instant produced = Instant.now();
            await().atMost(Duration.ofSeconds(100)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                assertEquals(404, roomStatus(held), "applied while the region was closed");
                return Duration.between(produced, Instant.now()).compareTo(Duration.ofSeconds(70)) > 0;
            });
        } finally {
            assertTrue(claims.release(REGION, claim, Map.of()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("region", REGION)
                .get("/v1/rooms/{room}", held).then().statusCode(200).body("participants", equalTo(2)));
        // the channel is still consuming: a later room is applied too
        produce(WebhookEvents.roomReaching(after, RoomShape.meeting(2), 1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("region", REGION)
                .get("/v1/rooms/{room}", after).then().statusCode(200).body("participants", equalTo(2)));
        given().get("/q/health/live").then().statusCode(200);
    }

    private static int roomStatus(String room) {
        return given().queryParam("region", REGION).get("/v1/rooms/{room}", room).statusCode();
    }

    private void produce(List<WebhookEvents.Event> events) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (WebhookEvents.Event e : events) {
                WebhookConsumerTest.send(producer, REGION, e).get();
            }
        }
    }

    /** Events of the region the live stream skipped as older than the last rebuild's snapshot. */
    private static double skipped() {
        return given().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("lkfleet_capacity_events_total{") && l.contains("outcome=\"before_snapshot\"")
                        && l.contains("region=\"" + REGION + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
