package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
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
 * Redis is a materialised view: wiping a region and replaying the topic from the beginning gives
 * the same rooms back. Prints the rebuild's pace per 100k events and the live consumer's rate.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class RebuildTest {
    static final String REGION = "eu-west";
    static final int ROOMS = 150;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;

    @Test
    void wipingARegionAndReplayingTheTopicRebuildsTheSameRooms() {
        String run = "rebuild-" + UUID.randomUUID() + "-";
        List<WebhookEvents.Event> events = new ArrayList<>();
        long start = System.currentTimeMillis() / 1000 - 3600;
        for (int i = 0; i < ROOMS; i++) {
            events.addAll(i % 10 == 0 ? WebhookEvents.finishedRoom(run + i, start)
                    : WebhookEvents.roomReaching(run + i, i % 3 == 0 ? new RoomShape(8, 2, 1) : RoomShape.meeting(4), start));
        }
        long produced = System.nanoTime();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            events.forEach(e -> WebhookConsumerTest.send(producer, REGION, e));
        }
        List<String> args = new ArrayList<>(List.of(RedisKeys.appliedEvents(REGION)));
        events.forEach(e -> args.add(e.id()));
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Response scores = redis.execute("ZMSCORE", args.toArray(String[]::new));
            for (int i = 0; i < scores.size(); i++) {
                if (scores.get(i) == null) {
                    return false;
                }
            }
            return true;
        });
        double liveSeconds = (System.nanoTime() - produced) / 1e9;
        Map<String, String> before = roomsOf(run);
        // an open room has 4 keys (shape, participants, tracks, egress); a finished one keeps its shape only
        assertEquals((ROOMS - ROOMS / 10) * 4 + ROOMS / 10, before.size());

        given().post("/v1/admin/regions/{r}/rebuild", REGION).then().statusCode(401)
                .body("type", equalTo("https://lkfleet.io/problems/unauthorized"));
        given().auth().oauth2("not-the-admin-token").post("/v1/admin/regions/{r}/rebuild", REGION).then().statusCode(401);
        assertEquals(before, roomsOf(run), "a refused rebuild wiped nothing");
        JsonPath result = given().auth().oauth2(TestFleet.get().layout().local().credentials().capacityAdminToken())
                .post("/v1/admin/regions/{r}/rebuild", REGION).then().statusCode(200)
                .body("region", equalTo(REGION)).extract().jsonPath();
        long read = result.getLong("recordsRead");
        long tookMs = result.getLong("tookMs");
        assertTrue(result.getLong("eventsApplied") >= events.size());
        assertEquals(before, roomsOf(run));
        System.out.printf("live consumer: %d events applied in %.1f s (%.0f events/s, produce to last room visible)%n",
                events.size(), liveSeconds, events.size() / liveSeconds);
        System.out.printf("rebuild of %s: %d records replayed in %d ms = %.1f s per 100k events%n", REGION, read,
                tookMs, tookMs * 100_000.0 / read / 1000);
    }

    /** The keys of this run's rooms, canonically dumped. */
    private Map<String, String> roomsOf(String run) {
        return RedisDump.of(redis, REGION).entrySet().stream().filter(e -> e.getKey().contains(run))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
