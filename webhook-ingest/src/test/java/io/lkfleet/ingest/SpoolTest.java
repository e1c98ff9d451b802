package io.lkfleet.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.spool.EventSpool;
import io.lkfleet.local.KafkaBroker;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * With the spool, Kafka stays away longer than LiveKit's whole retry budget (~15-26 s): every event
 * is still answered 200 quickly, and all of them reach the topic afterwards in each room's order.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class SpoolTest {
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final int ROOMS = 8;
    /** The rooms fall quiet once the spool holds this many events; the outage goes on. */
    private static final int SPOOLED = 1500;

    @Inject
    EventSpool spool;

    @Inject
    IngestConfig config;

    @Test
    void holdsEventsThroughAnOutageLongerThanLiveKitRetriesAndDrainsThemInRoomOrder() throws Exception {
        KafkaBroker kafka = TestFleet.get().kafka();
        try (WebhookTopic topic = new WebhookTopic(); RoomSenders rooms = new RoomSenders(ROOMS, "spool", () -> spool.size() < SPOOLED)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> rooms.count(200) >= 100);
            kafka.stop();
            long down = System.nanoTime();
            // Kafka down, spool with room: still ready, since events are held durably.
            await().atMost(Duration.ofSeconds(15)).until(() -> "down".equals(Readiness.now().kafka()));
            Readiness duringOutage = Readiness.now();
            assertEquals(200, duringOutage.status(), String.valueOf(duringOutage.details()));
            assertEquals("has room", duringOutage.spool());
            await().atMost(OUTAGE.plusSeconds(30)).until(() -> System.nanoTime() - down >= OUTAGE.toNanos() && spool.size() >= SPOOLED);
            int spooled = spool.size();
            kafka.start();
            long up = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> spool.size() == 0);
            long drainedMillis = (System.nanoTime() - up) / 1_000_000;
            rooms.stop();

            assertEquals(Set.of(200), rooms.byStatus().keySet(), "statuses " + rooms.byStatus());
            rooms.assertNoneHung(config.produceTimeout());
            Set<String> all = rooms.sent().stream().map(RoomSenders.Sent::id).collect(Collectors.toSet());
            List<ConsumerRecord<String, byte[]>> records = topic.until(r -> WebhookIngestTest.ids(r).containsAll(all),
                    Duration.ofSeconds(60));
            assertRoomOrder(rooms, records);
            System.out.printf("kafka outage with spool: %d events, %d spooled, drained %d ms after the broker start, %d records"
                    + " (duplicates %d), slowest answer %d ms%n", all.size(), spooled, drainedMillis, records.size(),
                    records.size() - WebhookIngestTest.ids(records).size(), rooms.slowestMillis());
        } finally {
            if (!kafka.isRunning()) {
                kafka.start();
            }
        }
    }

    /** Per room, the first copy of each event appears in the order the room sent them. */
    private static void assertRoomOrder(RoomSenders rooms, List<ConsumerRecord<String, byte[]>> records) {
        Map<String, RoomSenders.Sent> byId = rooms.sent().stream().collect(Collectors.toMap(RoomSenders.Sent::id, s -> s));
        Map<String, LinkedHashSet<String>> firstSeen = new HashMap<>();
        records.stream().sorted(Comparator.comparingLong(ConsumerRecord::offset))
                .filter(r -> byId.containsKey(WebhookTopic.eventId(r)))
                .forEach(r -> {
                    assertEquals(byId.get(WebhookTopic.eventId(r)).key(), r.key());
                    firstSeen.computeIfAbsent(r.key(), k -> new LinkedHashSet<>()).add(WebhookTopic.eventId(r));
                });
        firstSeen.forEach((key, ids) -> {
            List<Integer> seqs = ids.stream().map(id -> byId.get(id).seq()).toList();
            assertEquals(seqs.stream().sorted().toList(), seqs, key + " out of order");
        });
    }
}
