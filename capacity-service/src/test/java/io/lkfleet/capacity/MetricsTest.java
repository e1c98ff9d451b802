package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesRegex;

import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The key series on /q/metrics: per node and region load, headroom, deviation, consumer lag, events. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class MetricsTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void exportsLoadHeadroomDeviationAndLagPerNodeAndRegion() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            WebhookEvents.roomReaching("metrics-" + UUID.randomUUID(), RoomShape.meeting(2), System.currentTimeMillis() / 1000)
                    .forEach(e -> WebhookConsumerTest.send(producer, "eu-west", e));
        }
        String node = TestFleet.get().node("eu-west-a").nodeId();
        String nodeTags = "\\{node=\"" + node + "\",region=\"eu-west\"} ";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(matchesRegex("(?s).*lkfleet_capacity_node_subscriptions" + nodeTags + "[0-9.]+\n.*"))
                .body(matchesRegex("(?s).*lkfleet_capacity_node_measured_tracks_out" + nodeTags + "[0-9.]+\n.*"))
                .body(matchesRegex("(?s).*lkfleet_capacity_node_deviation" + nodeTags + "-?[0-9.]+\n.*"))
                .body(matchesRegex("(?s).*lkfleet_capacity_node_headroom_ratio" + nodeTags + "[0-9.]+\n.*"))
                .body(matchesRegex("(?s).*lkfleet_capacity_region_subscriptions\\{region=\"eu-west\"} [1-9][0-9.]*\n.*"))
                .body(containsString("lkfleet_capacity_region_headroom_ratio{region=\"eu-west\"}"))
                .body(matchesRegex("(?s).*lkfleet_capacity_consumer_lag_seconds\\{region=\"eu-west\"} [0-9.]+\n.*"))
                .body(containsString("lkfleet_capacity_apply_lag_seconds{region=\"eu-west\",quantile=\"0.99\"}"))
                .body(containsString("kafka_consumer_fetch_manager_records_lag"))
                .body(matchesRegex("(?s).*lkfleet_capacity_events_total\\{outcome=\"applied\",region=\"eu-west\"} [1-9][0-9.]*\n.*")));
    }
}
