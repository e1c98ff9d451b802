package io.lkfleet.ingest;

import static io.lkfleet.ingest.Webhooks.LIVEKIT_MEDIA_TYPE;
import static io.lkfleet.ingest.Webhooks.newId;
import static io.lkfleet.ingest.Webhooks.region;
import static io.lkfleet.ingest.Webhooks.roomEvent;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.local.KafkaBroker;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away in the middle of a burst and comes back. What LiveKit needs: an event answered
 * 200 is in Kafka; every other event got a status it retries (503 with Retry-After), quickly.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class KafkaOutageTest {
    private static final int ROOMS = 8;

    /** One event as LiveKit sent it and what it was answered. */
    private record Sent(String id, String region, byte[] body, String token, int status, String retryAfter, long millis) {
    }

    @Inject
    IngestConfig config;

    @Test
    void everyEventAnswered200SurvivesABrokerStopAndEveryOtherWasTold503() throws Exception {
        KafkaBroker kafka = TestFleet.get().kafka();
        Map<String, Sent> sent = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService rooms = Executors.newFixedThreadPool(ROOMS);
        try (WebhookTopic topic = new WebhookTopic()) {
            // One sender per room, one request at a time: LiveKit's per-room webhook queue.
            List<Future<?>> senders = java.util.stream.IntStream.range(0, ROOMS).mapToObj(room -> rooms.submit(() -> {
                while (!stop.get()) {
                    String region = room % 2 == 0 ? "eu-west" : "eu-central";
                    String id = newId();
                    byte[] body = roomEvent("participant_joined", id, "outage-" + room);
                    String token = Webhooks.token(region(region), body);
                    long start = System.nanoTime();
                    Webhooks.Answer answer = Webhooks.send("POST", LIVEKIT_MEDIA_TYPE, token, body);
                    sent.put(id, new Sent(id, region, body, token, answer.status(), answer.retryAfter(),
                            (System.nanoTime() - start) / 1_000_000));
                }
            })).collect(Collectors.toList());

            await().atMost(Duration.ofSeconds(30)).until(() -> count(sent, 200) >= 100);
            kafka.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> count(sent, 503) >= 2 * ROOMS);
            kafka.start();
            long acceptedBeforeRecovery = count(sent, 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> count(sent, 200) >= acceptedBeforeRecovery + 100);
            stop.set(true);
            for (Future<?> sender : senders) {
                sender.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }

            Map<Integer, Long> byStatus = sent.values().stream().collect(Collectors.groupingBy(Sent::status, Collectors.counting()));
            assertEquals(Set.of(200, 503), byStatus.keySet(), "statuses " + byStatus);
            long slowest = sent.values().stream().mapToLong(Sent::millis).max().orElseThrow();
            assertTrue(slowest < config.produceTimeout().toMillis() + 3000, "a request hung for " + slowest + " ms");
            assertTrue(sent.values().stream().filter(s -> s.status() == 503).allMatch(s -> Long.toString(config.retryAfter().toSeconds()).equals(s.retryAfter())),
                    "503 without Retry-After");

            Set<String> acked = ids(sent, 200);
            topic.until(r -> WebhookIngestTest.ids(r).containsAll(acked), Duration.ofSeconds(60));

            // LiveKit's retry: the same body and token again, now accepted; then nothing is missing.
            List<Sent> refused = sent.values().stream().filter(s -> s.status() != 200).toList();
            for (Sent s : refused) {
                assertEquals(200, Webhooks.send("POST", LIVEKIT_MEDIA_TYPE, s.token(), s.body()).status(), s.id());
            }
            topic.until(r -> WebhookIngestTest.ids(r).containsAll(sent.keySet()), Duration.ofSeconds(60));
            System.out.printf("kafka outage: %d events, %s, slowest answer %d ms%n", sent.size(), byStatus, slowest);
        } finally {
            stop.set(true);
            rooms.shutdownNow();
            if (!kafka.isRunning()) {
                kafka.start();
            }
        }
    }

    private static long count(Map<String, Sent> sent, int status) {
        return sent.values().stream().filter(s -> s.status() == status).count();
    }

    private static Set<String> ids(Map<String, Sent> sent, int status) {
        return sent.values().stream().filter(s -> s.status() == status).map(Sent::id).collect(Collectors.toSet());
    }
}
