package io.lkfleet.ingest;

import static io.lkfleet.ingest.Webhooks.LIVEKIT_MEDIA_TYPE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.local.KafkaBroker;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Without the spool, the broker goes away in the middle of a burst and comes back. What LiveKit needs:
 * an event answered 200 is in Kafka; every other event got a status it retries (503 with Retry-After),
 * quickly.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
@TestProfile(SpoolOffProfile.class)
class KafkaOutageTest {
    @Inject
    IngestConfig config;

    @Test
    void everyEventAnswered200SurvivesABrokerStopAndEveryOtherWasTold503() throws Exception {
        KafkaBroker kafka = TestFleet.get().kafka();
        try (WebhookTopic topic = new WebhookTopic(); RoomSenders rooms = new RoomSenders(8, "outage", () -> true)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> rooms.count(200) >= 100);
            kafka.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> rooms.count(503) >= 16);
            // Kafka down and no spool: nothing could be held durably, so not ready.
            Readiness duringOutage = Readiness.now();
            assertEquals(503, duringOutage.status(), String.valueOf(duringOutage.details()));
            assertEquals("down", duringOutage.kafka());
            assertEquals("off", duringOutage.spool());
            kafka.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> Readiness.now().status() == 200);
            long acceptedBeforeRecovery = rooms.count(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> rooms.count(200) >= acceptedBeforeRecovery + 100);
            rooms.stop();

            assertEquals(Set.of(200, 503), rooms.byStatus().keySet(), "statuses " + rooms.byStatus());
            rooms.assertNoneHung(config.produceTimeout());
            String retryAfter = Long.toString(config.retryAfter().toSeconds());
            assertTrue(rooms.sent().stream().filter(s -> s.status() == 503).allMatch(s -> retryAfter.equals(s.retryAfter())),
                    "503 without Retry-After");

            Set<String> acked = rooms.ids(200);
            topic.until(r -> WebhookIngestTest.ids(r).containsAll(acked), Duration.ofSeconds(60));

            // LiveKit's retry: the same body and token again, now accepted; then nothing is missing.
            List<RoomSenders.Sent> refused = rooms.sent().stream().filter(s -> s.status() != 200).toList();
            for (RoomSenders.Sent s : refused) {
                assertEquals(200, Webhooks.send("POST", LIVEKIT_MEDIA_TYPE, s.token(), s.body()).status(), s.id());
            }
            Set<String> all = rooms.sent().stream().map(RoomSenders.Sent::id).collect(java.util.stream.Collectors.toSet());
            topic.until(r -> WebhookIngestTest.ids(r).containsAll(all), Duration.ofSeconds(60));
            System.out.printf("kafka outage without spool: %d events, %s, slowest answer %d ms%n", all.size(),
                    rooms.byStatus(), rooms.slowestMillis());
        } finally {
            if (!kafka.isRunning()) {
                kafka.start();
            }
        }
    }
}
