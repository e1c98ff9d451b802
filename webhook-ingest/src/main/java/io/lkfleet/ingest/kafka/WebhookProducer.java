package io.lkfleet.ingest.kafka;

import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Lands webhook bodies in {@link Topics#WEBHOOKS} and reports, bounded in time, the broker's ack. A plain
 * producer rather than a messaging channel: the request must learn the fate of its own record within
 * {@code ingest.produce-timeout}, and a failed record must not affect the next one.
 */
@ApplicationScoped
public class WebhookProducer {
    /** Room for key, headers and batch framing on top of the body. */
    private static final int RECORD_OVERHEAD_BYTES = 64 * 1024;
    private static final Duration MIN_WAIT = Duration.ofMillis(1);

    private final KafkaProducer<String, byte[]> producer;
    private final Duration timeout;
    private final WebhookMetrics metrics;
    private volatile boolean available = true;
    private volatile boolean metadataKnown;

    public WebhookProducer(@Identifier("default-kafka-broker") Map<String, Object> kafka, IngestConfig config,
            WebhookMetrics metrics) {
        this.timeout = config.produceTimeout();
        this.metrics = metrics;
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        props.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs());
        // send() blocks while metadata is missing or the buffer is full: never longer than a request may wait.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        // Keep the one topic's metadata even after a quiet spell, so send() does not block to fetch it again.
        props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Duration.ofDays(1).toMillis());
        // Let every body under ingest.max-body-bytes through the client; the topic's own limit still applies.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxBodyBytes() + RECORD_OVERHEAD_BYTES);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "webhook-ingest");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Produces {@code body} unchanged; the future completes on Kafka's ack (on Kafka's I/O thread) and
     * fails with a 503 {@link WebhookRejectedException} if that did not happen within the produce
     * timeout. No thread waits meanwhile. A record that times out may still land later: LiveKit's retry
     * then makes a duplicate, removed downstream. Calls {@link KafkaProducer#send}, which can block
     * while the topic's metadata is missing: see {@link #nonBlocking()}. A plain future rather than a
     * Mutiny pipeline: this is every request's path, and each Mutiny operator cost a context capture.
     */
    public CompletableFuture<Void> send(String region, ParsedEvent event, byte[] body) {
        long start = System.nanoTime();
        CompletableFuture<Void> acked = produce(region, event, body);
        // The whole wait, a blocking send() included, stays within the timeout.
        long left = Math.max(MIN_WAIT.toNanos(), timeout.toNanos() - (System.nanoTime() - start));
        return acked.orTimeout(left, TimeUnit.NANOSECONDS).handle((ok, error) -> {
            if (error == null) {
                metrics.produced(region, true, Duration.ofNanos(System.nanoTime() - start));
                return null;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            // Over the topic's max.message.bytes no retry can succeed: 413 makes LiveKit stop, 503 would not.
            throw failed(region, event, start,
                    cause instanceof RecordTooLargeException || cause.getCause() instanceof RecordTooLargeException
                            ? Reason.BODY_TOO_LARGE : Reason.KAFKA_UNAVAILABLE);
        });
    }

    /** Hands the record to the producer; the future completes on Kafka's ack and records the outcome. */
    public CompletableFuture<Void> produce(String region, ParsedEvent event, byte[] body) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.WEBHOOKS, null, event.key(), body,
                WebhookHeaders.of(region, event.type(), event.id()).toKafka());
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
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

    private WebhookRejectedException failed(String region, ParsedEvent event, long start, Reason reason) {
        if (reason == Reason.KAFKA_UNAVAILABLE) {
            available = false;
        }
        metrics.produced(region, false, Duration.ofNanos(System.nanoTime() - start));
        return new WebhookRejectedException(reason, region, event.type());
    }

    @PreDestroy
    void close() {
        producer.close(timeout);
    }
}
