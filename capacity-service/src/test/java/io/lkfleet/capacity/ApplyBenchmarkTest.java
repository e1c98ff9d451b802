package io.lkfleet.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.LocalFleetResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Event → Redis at a fixed rate through the real broker: every event produced at {@link #RATE}/s
 * must be applied, and the time from send to its id appearing in Redis is printed as p50/p99
 * (seen by polling Redis every few milliseconds, so it includes up to one poll interval).
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ApplyBenchmarkTest {
    static final int RATE = 300;
    static final int SECONDS = 8;
    /** The first seconds warm the JIT and the consumers up and are left out of the figures. */
    static final int WARM_UP_SECONDS = 2;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;

    @Test
    void appliesEveryEventAtAFixedRateAndReportsLag() {
        List<WebhookEvents.Event> events = new ArrayList<>();
        String run = "bench-" + UUID.randomUUID() + "-";
        long start = System.currentTimeMillis() / 1000;
        for (int room = 0; events.size() < RATE * (SECONDS + WARM_UP_SECONDS); room++) {
            events.addAll(WebhookEvents.roomReaching(run + room, RoomShape.meeting(4), start));
        }
        events = events.subList(0, RATE * (SECONDS + WARM_UP_SECONDS));
        Map<String, Long> sentAt = new LinkedHashMap<>();
        long[] lagMs = new long[events.size()];
        long[] ackMs = new long[events.size()];
        Map<String, Integer> index = new LinkedHashMap<>();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        long began = System.nanoTime();
        int seen = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            long interval = 1_000_000_000L / RATE;
            int next = 0;
            long deadline = began + (SECONDS + 60) * 1_000_000_000L;
            while (seen < events.size() && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                while (next < events.size() && now - began >= next * interval) {
                    WebhookEvents.Event e = events.get(next);
                    long sent = System.nanoTime();
                    sentAt.put(e.id(), sent);
                    index.put(e.id(), next);
                    int at = next;
                    WebhookConsumerTest.send(producer, "eu-west", e, (metadata, error) -> ackMs[at] = (System.nanoTime() - sent) / 1_000_000);
                    next++;
                }
                seen += collectApplied(sentAt, index, lagMs);
                LockSupport.parkNanos(2_000_000);
            }
        }
        double took = (System.nanoTime() - began) / 1e9;
        assertEquals(events.size(), seen, "every event produced was applied");
        long[] sorted = Arrays.copyOfRange(lagMs, RATE * WARM_UP_SECONDS, lagMs.length);
        Arrays.sort(sorted);
        long p50 = percentile(sorted, 0.5);
        long p99 = percentile(sorted, 0.99);
        long[] acks = Arrays.copyOfRange(ackMs, RATE * WARM_UP_SECONDS, ackMs.length);
        Arrays.sort(acks);
        System.out.printf("fixed rate %d events/s for %d s (+%d s warm-up): %d events applied in %.1f s (%.0f events/s); "
                + "event->Redis lag after warm-up p50 %d ms, p99 %d ms, max %d ms; of which Kafka produce ack p50 %d ms, "
                + "p99 %d ms (load average %s)%n", RATE, SECONDS, WARM_UP_SECONDS, seen, took, seen / took, p50, p99,
                sorted[sorted.length - 1], percentile(acks, 0.5), percentile(acks, 0.99), loadAverage());
        assertTrue(p50 < 5_000, "the consumer keeps up with " + RATE + " events/s");
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.ceil(sorted.length * q) - 1];
    }

    /** The machine is shared: figures mean little without the load they were taken under. */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Removes the ids that reached Redis from {@code pending}, noting their lag; returns how many. */
    private int collectApplied(Map<String, Long> pending, Map<String, Integer> index, long[] lagMs) {
        if (pending.isEmpty()) {
            return 0;
        }
        List<String> ids = new ArrayList<>(pending.keySet());
        List<String> args = new ArrayList<>(ids.size() + 1);
        args.add(RedisKeys.appliedEvents("eu-west"));
        args.addAll(ids);
        Response scores = redis.execute("ZMSCORE", args.toArray(String[]::new));
        long now = System.nanoTime();
        int found = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (scores.get(i) != null) {
                lagMs[index.get(ids.get(i))] = (now - pending.remove(ids.get(i))) / 1_000_000;
                found++;
            }
        }
        return found;
    }
}
