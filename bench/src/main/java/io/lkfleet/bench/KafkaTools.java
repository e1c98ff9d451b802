package io.lkfleet.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The broker side of the benchmarks: end offsets, counting records, and Kafka's ProducerPerformance. */
final class KafkaTools {
    private static final Pattern PERF = Pattern.compile("(\\d+) records sent, ([0-9.]+) records/sec .*?([0-9.]+) ms avg latency,"
            + " ([0-9.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

    /** ProducerPerformance's final line. */
    record PerfResult(long records, double recordsPerSecond, double avgMs, double maxMs, long p50Ms, long p95Ms, long p99Ms) {
    }

    private final BenchContext ctx;
    private final String bootstrap;

    KafkaTools(BenchContext ctx) {
        this.ctx = ctx;
        this.bootstrap = ctx.fleet().layout().kafkaBootstrap();
    }

    Admin admin() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        return Admin.create(props);
    }

    /** A producer with webhook-ingest's guarantees (acks=all, idempotent), {@code settings} on top. */
    KafkaProducer<String, byte[]> producer(Map<String, String> settings) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.putAll(settings);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    void createTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    Map<TopicPartition, Long> endOffsets(String topic) {
        try (Admin admin = admin()) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read end offsets of " + topic, e);
        }
    }

    /** How long until {@code group} has committed every record of {@code topic}; null if not within {@code limit}. */
    Duration awaitConsumed(String group, String topic, Duration limit) {
        long start = System.nanoTime();
        Map<TopicPartition, Long> end = endOffsets(topic);
        try (Admin admin = admin()) {
            while (System.nanoTime() - start < limit.toNanos()) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                if (end.entrySet().stream().allMatch(e -> e.getValue() == 0 || committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue())) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                Thread.sleep(200);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of consumer group " + group, e);
        }
        return null;
    }

    /**
     * What {@code keep} makes of each record between {@code from} and {@code to} (per partition), records
     * it makes null of left out. Only that is held, not the records: a webhook run at 200 connections left
     * over a million 512-byte records to check, more than the bench's heap.
     */
    <T> List<T> records(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to,
            Function<ConsumerRecord<byte[], byte[]>, T> keep) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", "5000");
        List<T> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(to.keySet());
            from.forEach(consumer::seek);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (to.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()) && System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    T kept = r.offset() < to.get(new TopicPartition(r.topic(), r.partition())) ? keep.apply(r) : null;
                    if (kept != null) {
                        found.add(kept);
                    }
                }
            }
        }
        return found;
    }

    /** Kafka's own producer benchmark, with the producer settings webhook-ingest uses. */
    PerfResult producerPerformance(String topic, long records, int recordSize, long throughput) {
        String out = Procs.run(List.of(javaBin(), "-Xmx512m", "-cp", ctx.kafkaLib(), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize),
                "--throughput", Long.toString(throughput), "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all",
                "enable.idempotence=true", "linger.ms=1", "compression.type=none"), Map.of(), Duration.ofSeconds(120), ctx.log());
        Matcher m = PERF.matcher(out);
        PerfResult last = null;
        while (m.find()) {
            last = new PerfResult(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                    Long.parseLong(m.group(7)));
        }
        if (last == null) {
            throw new IllegalStateException("ProducerPerformance printed no summary (see " + ctx.log() + ")");
        }
        return last;
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
