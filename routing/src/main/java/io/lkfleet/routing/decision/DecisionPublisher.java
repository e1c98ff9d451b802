package io.lkfleet.routing.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.fleet.FleetConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes every routing decision, admitted or refused, to {@code fleet.decisions} (key = room) as a
 * {@link DecisionRecord}, and counts it. The join never waits for Kafka nor fails because of it: the
 * record's outcome is only logged. The counters exist from start-up for every region and reason, so a
 * quiet alert reads 0, not "no data".
 *
 * <p>A plain Kafka producer, called on the caller's thread (as webhook-ingest's {@code WebhookProducer}),
 * rather than a messaging {@code Emitter}: the emitter handed every record to its connector's sending
 * thread, a thread wake-up per record, and the record was a quarter of token-service's CPU per token
 * (issue 15). {@code send()} only appends the record to the batch being gathered; with
 * {@code max.block.ms=0} it never waits, not for the topic's metadata nor for buffer space (while Kafka
 * is away, records wait in the producer's buffer for {@code delivery.timeout.ms}, then fail, and once the
 * buffer is full a record fails at once). Until the topic's metadata is first known, {@code send()} would
 * fail every record, so the records of those first moments are held (at most {@link #EARLY_RECORDS}) and
 * sent once it is.
 */
@Singleton
public class DecisionPublisher {
    /** Reasons of an admission (a refusal's reason is a {@link Reason}). */
    public static final String NEW_ROOM = "new-room";
    public static final String PINNED = "pinned";
    /** Records held while the topic's metadata is not known yet (start-up). */
    static final int EARLY_RECORDS = 10_000;
    /** How often the topic's metadata is asked for until it is known. */
    private static final Duration METADATA_POLL = Duration.ofMillis(20);
    /** At most one warning per this long about records not published (a broker outage fails every one). */
    static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);
    /** How long closing waits for records still being gathered. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(DecisionPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final ObjectWriter json;
    private final MeterRegistry meters;
    private final Vertx vertx;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter unpublished;
    private final AtomicLong unpublishedSinceWarning = new AtomicLong();
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - WARNING_INTERVAL.toNanos());
    private final Queue<ProducerRecord<String, byte[]>> early = new ArrayBlockingQueue<>(EARLY_RECORDS);
    private volatile boolean topicKnown;
    private long metadataPoll = -1;

    public DecisionPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "quarkus.application.name") String application, ObjectMapper json,
            MeterRegistry meters, Vertx vertx) {
        this.json = json.writerFor(DecisionRecord.class);
        this.meters = meters;
        this.vertx = vertx;
        this.unpublished = Counter.builder("lkfleet.router.decisions.unpublished")
                .description("Decision records that did not reach " + Topics.DECISIONS + " (the joins were answered)")
                .register(meters);
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        // Nothing waits for a decision record, so the producer gathers them for 20 ms: one produce request
        // per 20 ms of decisions, since the broker's cost is per request (issue 15). A record reaches the
        // topic at most 20 ms after its join was answered.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        // send() runs on event loops: never block, fail the record instead.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        // Keep the topic's metadata after a quiet spell: without it send() fails the next record.
        props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Duration.ofDays(1).toMillis());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, application + "-decisions");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    void initialise(@Observes StartupEvent start, FleetConfig fleet) {
        fleet.regions().keySet().forEach(region -> {
            counter(DecisionRecord.ADMITTED, NEW_ROOM, region);
            counter(DecisionRecord.ADMITTED, PINNED, region);
        });
        for (Reason reason : Reason.values()) {
            counter(DecisionRecord.REFUSED, reason.slug(), null);
            fleet.regions().keySet().forEach(region -> counter(DecisionRecord.REFUSED, reason.slug(), region));
        }
        if (!topicKnown()) {
            metadataPoll = vertx.setPeriodic(METADATA_POLL.toMillis(), id -> {
                if (topicKnown()) {
                    vertx.cancelTimer(id);
                }
            });
        }
    }

    public void publish(DecisionRecord decision) {
        counter(decision.outcome(), decision.reason(), decision.region()).increment();
        ProducerRecord<String, byte[]> record;
        try {
            record = new ProducerRecord<>(Topics.DECISIONS, decision.room(), json.writeValueAsBytes(decision));
        } catch (JsonProcessingException e) {
            notPublished(decision.room(), e.getMessage());
            return;
        }
        if (topicKnown) {
            send(record);
        } else if (!early.offer(record)) {
            notPublished(decision.room(), "Kafka has not answered since start");
        } else if (topicKnown) {
            // became known while this record was being held: the hand-over may have run before it arrived
            sendEarly();
        }
    }

    /**
     * Whether the topic's metadata is known, so {@code send()} takes records; asks for it if not (without
     * waiting: {@code max.block.ms=0}). Once it is, the records held meanwhile go out.
     */
    private boolean topicKnown() {
        try {
            producer.partitionsFor(Topics.DECISIONS);
        } catch (KafkaException notYet) {
            return false;
        }
        topicKnown = true;
        sendEarly();
        return true;
    }

    private void sendEarly() {
        for (ProducerRecord<String, byte[]> record = early.poll(); record != null; record = early.poll()) {
            send(record);
        }
    }

    private void send(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    notPublished(record.key(), error.getMessage());
                }
            });
        } catch (KafkaException e) {
            notPublished(record.key(), e.getMessage());
        }
    }

    /**
     * Counts a record that was lost, and warns at most once per {@link #WARNING_INTERVAL} with how many were
     * lost since the last warning: while Kafka is away every join's record fails, and a line each would
     * flood the log at the join rate.
     */
    private void notPublished(String room, String why) {
        unpublished.increment();
        unpublishedSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWarningNanos.get();
        if (now - last >= WARNING_INTERVAL.toNanos() && lastWarningNanos.compareAndSet(last, now)) {
            LOG.warnf("%d decision record(s) not published to %s since the last such warning (the latest for room %s):"
                    + " %s", unpublishedSinceWarning.getAndSet(0), Topics.DECISIONS, room, why);
        }
    }

    /** Looked up once per tag combination (outcomes, reasons and regions are few). */
    private Counter counter(String outcome, String reason, String region) {
        String regionTag = region == null ? "none" : region;
        return counters.computeIfAbsent(outcome + '\n' + reason + '\n' + regionTag, k -> meters.counter(
                "lkfleet.router.decisions", "outcome", outcome, "reason", reason, "region", regionTag));
    }

    @PreDestroy
    void close() {
        if (metadataPoll >= 0) {
            vertx.cancelTimer(metadataPoll);
        }
        producer.close(CLOSE_WAIT);
    }
}
