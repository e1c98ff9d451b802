package io.lkfleet.ingest.kafka;

import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Lands webhook bodies in {@link Topics#WEBHOOKS} and reports, bounded in time, the broker's ack. A plain
 * producer rather than a messaging channel: the request must learn the fate of its own record within
 * {@code ingest.produce-timeout}, and a failed record must not affect the next one.
 */
@Singleton
public class WebhookProducer {
    /** Room for key, headers and batch framing on top of the body. */
    private static final int RECORD_OVERHEAD_BYTES = 64 * 1024;
    /** How often records past their produce timeout are failed: an answer may come this much after the timeout. */
    static final Duration SWEEP = Duration.ofMillis(50);

    private final KafkaProducer<String, byte[]> producer;
    private final Duration timeout;
    private final WebhookMetrics metrics;
    private final Vertx vertx;
    /** Records sent by requests and not decided yet, oldest first. */
    private final Queue<Delivery> pending = new ConcurrentLinkedQueue<>();
    private final long sweeper;
    private volatile boolean available = true;
    private volatile boolean metadataKnown;

    public WebhookProducer(@Identifier("default-kafka-broker") Map<String, Object> kafka, IngestConfig config,
            WebhookMetrics metrics, Vertx vertx) {
        this.timeout = config.produceTimeout();
        this.metrics = metrics;
        this.vertx = vertx;
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        props.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs());
        // One produce request at a time: records that arrive meanwhile ride in the next one, so batches grow
        // with load without a linger, and a lone record (a room's next event: LiveKit posts a room's events one
        // at a time) leaves at once. Order per partition stays strict with idempotence.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        // send() blocks while metadata is missing or the buffer is full: never longer than a request may wait.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        // Keep the one topic's metadata even after a quiet spell, so send() does not block to fetch it again.
        props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Duration.ofDays(1).toMillis());
        // Let every body under ingest.max-body-bytes through the client; the topic's own limit still applies.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxBodyBytes() + RECORD_OVERHEAD_BYTES);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "webhook-ingest");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.sweeper = vertx.setPeriodic(SWEEP.toMillis(), id -> sweep());
    }

    /**
     * Produces {@code body} unchanged; the future completes on Kafka's ack (on Kafka's I/O thread) and
     * fails with a 503 {@link WebhookRejectedException} if that did not happen within the produce
     * timeout. No thread waits meanwhile. A record that times out may still land later: LiveKit's retry
     * then makes a duplicate, removed downstream. Calls {@link KafkaProducer#send}, which can block
     * while the topic's metadata is missing: see {@link #nonBlocking()}. The future is the record's
     * Kafka callback itself, timed by one shared sweep rather than a timer each: this is every request's
     * path, and {@code orTimeout} cost a scheduled task, its cancellation and two more stages a record.
     */
    public CompletableFuture<Void> send(String region, ParsedEvent event, byte[] body) {
        Delivery delivery = new Delivery(region, event, System.nanoTime());
        // Timed from before send(), so a send() that blocks counts against the same timeout.
        pending.add(delivery);
        try {
            producer.send(record(region, event, body), delivery);
        } catch (KafkaException e) {
            available = false;
            delivery.onCompletion(null, e);
        }
        return delivery;
    }

    /** Hands the record to the producer; the future completes on Kafka's ack and records the outcome. */
    public CompletableFuture<Void> produce(String region, ParsedEvent event, byte[] body) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(record(region, event, body), (metadata, error) -> {
                // A record too large says nothing about the broker's health.
                if (!(error instanceof RecordTooLargeException)) {
                    available = error == null;
                }
                if (error == null) {
                    metadataKnown = true;
                    acked.complete(null);
                } else {
                    acked.completeExceptionally(error);
                }
            });
        } catch (KafkaException e) {
            available = false;
            acked.completeExceptionally(e);
        }
        return acked;
    }

    /** False since the last record Kafka failed to take, until one succeeds again. */
    public boolean available() {
        return available;
    }

    /**
     * Whether {@link KafkaProducer#send} returns at once, so it may run on an event loop: the topic's
     * metadata is known (a record was acked since start) and the broker took the last record. Else it
     * may block up to {@code max.block.ms} and belongs on a worker thread.
     */
    public boolean nonBlocking() {
        return available && metadataKnown;
    }

    private static ProducerRecord<String, byte[]> record(String region, ParsedEvent event, byte[] body) {
        return new ProducerRecord<>(Topics.WEBHOOKS, null, event.key(), body,
                WebhookHeaders.of(region, event.type(), event.id()).toKafka());
    }

    /**
     * Fails the records whose produce timeout has passed. Records join the queue in the order they were
     * sent and all have the same timeout, so only the head needs looking at: decided records are dropped
     * from it, and the first undecided one still in time ends the sweep. (Iterating the whole queue each
     * time cost ~5 % of the service's CPU in JFR.)
     */
    private void sweep() {
        long now = System.nanoTime();
        for (Delivery oldest = pending.peek(); oldest != null; oldest = pending.peek()) {
            if (!oldest.isDone()) {
                if (now - oldest.start < timeout.toNanos()) {
                    return;
                }
                oldest.decide(Reason.KAFKA_UNAVAILABLE);
            }
            pending.poll();
        }
    }

    /** One record on its way: its Kafka callback, and the future the request waits on. */
    private final class Delivery extends CompletableFuture<Void> implements Callback {
        private final String region;
        private final ParsedEvent event;
        private final long start;

        Delivery(String region, ParsedEvent event, long start) {
            this.region = region;
            this.event = event;
            this.start = start;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            if (error == null) {
                available = true;
                metadataKnown = true;
                decide(null);
                return;
            }
            // A record too large says nothing about the broker's health.
            if (!(error instanceof RecordTooLargeException)) {
                available = false;
            }
            // Over the topic's max.message.bytes no retry can succeed: 413 makes LiveKit stop, 503 would not.
            decide(error instanceof RecordTooLargeException || error.getCause() instanceof RecordTooLargeException
                    ? Reason.BODY_TOO_LARGE : Reason.KAFKA_UNAVAILABLE);
        }

        /** The first outcome wins: the ack, Kafka's error or the timeout; {@code refusal} null means acked. */
        void decide(Reason refusal) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (refusal == null) {
                if (complete(null)) {
                    metrics.produced(region, true, took);
                }
                return;
            }
            if (isDone()) {
                return;
            }
            // Before completing: what the request does next (spool at once) depends on it.
            if (refusal == Reason.KAFKA_UNAVAILABLE) {
                available = false;
            }
            if (completeExceptionally(new WebhookRejectedException(refusal, region, event.type()))) {
                metrics.produced(region, false, took);
            }
        }
    }

    @PreDestroy
    void close() {
        vertx.cancelTimer(sweeper);
        producer.close(timeout);
    }
}
