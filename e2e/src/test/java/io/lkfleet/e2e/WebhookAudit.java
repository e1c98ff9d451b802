package io.lkfleet.e2e;

import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.RedisUsers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads, by event id, what the fleet did with LiveKit's webhooks: the records in
 * {@code livekit.webhooks} (what webhook-ingest made durable), each region's {@code applied} ids and
 * rebuild {@code snapshot} offsets in lkfleet's Redis (what capacity-service's current model holds),
 * and each capacity-service instance's count of events by outcome.
 */
final class WebhookAudit {
    /** Outcomes of apply_event.lua that record the event's id in {@code applied} (it took effect once). */
    static final Set<String> RECORDED = Set.of("applied", "stale", "finished", "unknown_room");
    /** How the ids of the events a rebuild writes for LiveKit's present rooms begin (capacity-service's SnapshotEvents). */
    static final String SNAPSHOT_ID_PREFIX = "snapshot/";
    private static final Pattern EVENTS = Pattern.compile(
            "(?m)^lkfleet_capacity_events_total\\{([^}]*)} ([0-9.Ee+-]+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** One record of an event in the topic. */
    record Placed(String region, int partition, long offset) {
    }

    private WebhookAudit() {
    }

    /** Every record in {@code livekit.webhooks} now, by event id. */
    static Map<String, List<Placed>> topic(LocalFleet fleet) {
        Properties props = new Properties();
        props.put("bootstrap.servers", fleet.layout().kafkaBootstrap());
        props.put("enable.auto.commit", "false");
        Map<String, List<Placed>> byId = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.WEBHOOKS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + Topics.WEBHOOKS + " to its end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    byId.computeIfAbsent(header(record, WebhookHeaders.EVENT_ID), id -> new ArrayList<>())
                            .add(new Placed(header(record, WebhookHeaders.REGION), record.partition(), record.offset()));
                }
            }
        }
        return byId;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** What capacity-service's current model holds of the stream, per region. */
    record Model(Map<String, Set<String>> applied, Map<String, Map<Integer, Long>> snapshot) {

        /** Whether the model holds the event: applied by id, or all its records below the rebuild's snapshot. */
        boolean holds(String id, List<Placed> records) {
            return applied.getOrDefault(records.get(0).region(), Set.of()).contains(id) || inSnapshot(records);
        }

        /** Applied by id although the snapshot holds it already: its effect would count twice. */
        boolean appliedAndInSnapshot(String id, List<Placed> records) {
            return applied.getOrDefault(records.get(0).region(), Set.of()).contains(id) && inSnapshot(records);
        }

        private boolean inSnapshot(List<Placed> records) {
            String region = records.get(0).region();
            return records.stream().allMatch(r ->
                    r.offset() < snapshot.getOrDefault(region, Map.of()).getOrDefault(r.partition(), -1L));
        }
    }

    static Model model(LocalFleet fleet) {
        Vertx vertx = Vertx.vertx();
        try {
            Redis redis = Redis.createClient(vertx, fleet.layout().fleetRedisUri(RedisUsers.ADMIN));
            Map<String, Set<String>> applied = new HashMap<>();
            Map<String, Map<Integer, Long>> snapshot = new HashMap<>();
            for (String region : fleet.layout().regions().keySet()) {
                Set<String> ids = new HashSet<>();
                send(redis, Request.cmd(Command.ZRANGE).arg(RedisKeys.appliedEvents(region)).arg(0).arg(-1))
                        .forEach(id -> ids.add(id.toString()));
                applied.put(region, ids);
                Map<Integer, Long> offsets = new HashMap<>();
                for (Response partition : send(redis, Request.cmd(Command.HKEYS).arg(RedisKeys.snapshot(region)))) {
                    offsets.put(partition.toInteger(), send(redis, Request.cmd(Command.HGET)
                            .arg(RedisKeys.snapshot(region)).arg(partition.toString())).toLong());
                }
                snapshot.put(region, offsets);
            }
            redis.close();
            return new Model(applied, snapshot);
        } finally {
            vertx.close();
        }
    }

    private static Response send(Redis redis, Request request) {
        try {
            return redis.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("lkfleet's Redis: " + request.command() + " failed: " + e, e);
        }
    }

    /** One capacity-service instance's count of stream events, per region and outcome ("region/outcome"). */
    static Map<String, Double> outcomes(FleetLayout.Instance instance) throws Exception {
        Map<String, Double> counts = new HashMap<>();
        Matcher m = EVENTS.matcher(E2eFleet.get(instance.url() + "/q/metrics").body());
        while (m.find()) {
            Map<String, String> labels = new HashMap<>();
            Matcher label = LABEL.matcher(m.group(1));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            counts.merge(labels.get("region") + "/" + labels.get("outcome"), Double.parseDouble(m.group(2)), Double::sum);
        }
        return counts;
    }
}
