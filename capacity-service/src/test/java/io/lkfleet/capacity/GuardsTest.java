package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The ops guards flag an idle room nobody closed and egress recording a room with no publisher. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class GuardsTest {
    static final String REGION = "eu-west";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void flagsIdleRoomsAndEgressWithoutPublishers() {
        String idle = "idle-" + UUID.randomUUID();
        String recording = "recording-" + UUID.randomUUID();
        String busy = "busy-" + UUID.randomUUID();
        long hourAgo = System.currentTimeMillis() / 1000 - 3600;
        WebhookEvents.Clock clock = new WebhookEvents.Clock(hourAgo);
        List<WebhookEvents.Event> events = List.of(
                WebhookEvents.roomReaching(idle, io.lkfleet.common.capacity.RoomShape.meeting(2), hourAgo).get(0),
                WebhookEvents.joined(recording, "RM_" + recording, "PA_watcher", clock),
                WebhookEvents.egress(recording, "RM_" + recording, "egress_started", "EG_" + recording, "EGRESS_ACTIVE", clock),
                WebhookEvents.joined(busy, "RM_" + busy, "PA_speaker", clock),
                WebhookEvents.track(busy, "RM_" + busy, "track_published", "PA_speaker", "TR_" + busy, null, "MICROPHONE", clock),
                WebhookEvents.egress(busy, "RM_" + busy, "egress_started", "EG_" + busy, "EGRESS_ACTIVE", clock));
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            events.forEach(e -> WebhookConsumerTest.send(producer, REGION, e));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/regions/{r}/guards", REGION)
                .then().statusCode(200)
                .body("idleRooms", hasItem(idle))
                .body("idleRooms", not(hasItem(busy)))
                .body("egressWithoutPublishers", hasItem(recording))
                .body("egressWithoutPublishers", not(hasItem(busy))));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/metrics").then()
                .body(containsString("lkfleet_capacity_guard_egress_without_publishers{region=\"eu-west\"}"))
                .body(containsString("lkfleet_capacity_guard_idle_rooms{region=\"eu-west\"}")));
    }
}
