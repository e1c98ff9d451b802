package io.lkfleet.capacity.listener;

import io.lkfleet.capacity.WebhookChange;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.capacity.metrics.CapacityMetrics;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.common.fleet.FleetConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code livekit.webhooks} a poll at a time ({@code batch=true}, up to
 * {@code max.poll.records}) and applies the poll's events to the load model as one pipeline per
 * region, in the order the partitions hold them (see {@link LoadStore#applyAll}): one round trip per
 * poll and region instead of one per event. At least once: the poll is acknowledged (its offsets
 * committed) only after Redis applied all of it; a region's failed write is retried, that region's
 * events of the poll in order, until Redis answers (events already applied answer duplicate). A
 * record that can never be applied is nacked on its own, which the channel's failure strategy sends
 * to the dead-letter topic, and the rest of the poll goes on.
 */
@ApplicationScoped
public class WebhookListener {
    /** The incoming channel (configured in application.properties). */
    public static final String CHANNEL = "livekit-webhooks";
    /** Where records that can never be applied go (failure-strategy=dead-letter-queue). */
    public static final String DEAD_LETTER_TOPIC = "livekit.webhooks.capacity-dlq";
    private static final Logger LOG = Logger.getLogger(WebhookListener.class);

    private final WebhookParser parser;
    private final LoadStore store;
    private final CapacityMetrics metrics;
    private final CapacityConfig config;
    private final FleetConfig fleet;

    public WebhookListener(WebhookParser parser, LoadStore store, CapacityMetrics metrics, CapacityConfig config,
            FleetConfig fleet) {
        this.parser = parser;
        this.store = store;
        this.metrics = metrics;
        this.config = config;
        this.fleet = fleet;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(KafkaRecordBatch<String, String> poll) {
        Map<String, RegionPart> parts = new LinkedHashMap<>();
        List<Uni<Void>> deadLetters = new ArrayList<>();
        for (KafkaRecord<String, String> record : poll.getRecords()) {
            String region = regionOf(record);
            try {
                if (!fleet.regions().containsKey(region)) {
                    throw new WebhookParser.MalformedWebhookException("unknown region '" + region + "'");
                }
                WebhookChange change = parser.parse(region, record.getPayload());
                parts.computeIfAbsent(region, r -> new RegionPart()).add(record, change);
            } catch (WebhookParser.MalformedWebhookException e) {
                LOG.warnf("webhook record cannot be applied, sending it to the dead-letter topic: %s", e.getMessage());
                metrics.event(region.isEmpty() ? "unknown" : region, "malformed", 0);
                deadLetters.add(Uni.createFrom().completionStage(record.nack(e)));
            }
        }
        Uni<Void> deadLettered = deadLetters.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(deadLetters).andFailFast().replaceWithVoid();
        Uni<Void> applied = parts.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(parts.values().stream().map(this::apply).toList()).andFailFast().replaceWithVoid();
        // the dead letters are in their topic before the poll's offsets are committed past them
        return applied.chain(() -> deadLettered).chain(() -> Uni.createFrom().completionStage(poll.ack()));
    }

    /**
     * Applies one region's events of the poll, again and again until Redis took them all, then counts
     * their outcomes. Per region, so that a region whose model is closed (a rebuild) holds back only
     * its own events: the other regions' outcomes are counted as they were, not as {@code duplicate}
     * by a retry of the whole poll.
     */
    private Uni<Void> apply(RegionPart part) {
        // events below the last rebuild's snapshot are skipped: the rebuild read LiveKit after them
        return store.applyAll(part.changes, part.positions, LoadStore.LIVE)
                .onFailure().invoke(e -> LOG.warnf("applying %d events of a poll failed, retrying: %s",
                        part.changes.size(), e.getMessage()))
                .onFailure().retry()
                .withBackOff(config.events().retryBackoff(), config.events().maxRetryBackoff()).indefinitely()
                .invoke(outcomes -> {
                    Instant now = Instant.now();
                    for (int i = 0; i < outcomes.size(); i++) {
                        WebhookChange change = part.changes.get(i);
                        metrics.event(change.region(), outcomes.get(i), change.createdAt());
                        metrics.applied(change.region(), Duration.between(part.records.get(i).getTimestamp(), now));
                    }
                })
                .replaceWithVoid();
    }

    /** A region's events of one poll, in the poll's order (a room is in one region, so its order holds). */
    private static final class RegionPart {
        private final List<KafkaRecord<String, String>> records = new ArrayList<>();
        private final List<WebhookChange> changes = new ArrayList<>();
        private final List<LoadStore.StreamPosition> positions = new ArrayList<>();

        void add(KafkaRecord<String, String> record, WebhookChange change) {
            records.add(record);
            changes.add(change);
            positions.add(positionOf(record));
        }
    }

    /** The record's place in the topic; null (never skipped) should the connector not say it. */
    private static LoadStore.StreamPosition positionOf(KafkaRecord<String, String> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> new LoadStore.StreamPosition(m.getPartition(), m.getOffset())).orElse(null);
    }

    private static String regionOf(KafkaRecord<String, String> record) {
        return WebhookHeaders.read(record.getHeaders()).map(WebhookHeaders::region).orElse("");
    }
}
