package io.lkfleet.capacity.listener;

import io.lkfleet.capacity.WebhookChange;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.capacity.metrics.CapacityMetrics;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.common.fleet.FleetConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code livekit.webhooks} and applies each event to the load model. At least once: a
 * record is acknowledged (and its offset committed) only after Redis applied it; a failed write
 * is retried, in order, until Redis answers. A record that can never be applied is nacked, which
 * the channel's failure strategy sends to the dead-letter topic.
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
    public Uni<Void> consume(Message<String> message) {
        String region = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .flatMap(m -> WebhookHeaders.read(m.getHeaders()))
                .map(WebhookHeaders::region)
                .orElse("");
        WebhookChange change;
        try {
            if (!fleet.regions().containsKey(region)) {
                throw new WebhookParser.MalformedWebhookException("unknown region '" + region + "'");
            }
            change = parser.parse(region, message.getPayload());
        } catch (WebhookParser.MalformedWebhookException e) {
            LOG.warnf("webhook record cannot be applied, sending it to the dead-letter topic: %s", e.getMessage());
            metrics.event(region.isEmpty() ? "unknown" : region, "malformed", 0);
            return Uni.createFrom().completionStage(message.nack(e));
        }
        return store.apply(change)
                .onFailure().invoke(e -> LOG.warnf("applying %s %s failed, retrying: %s", change.type(),
                        change.eventId(), e.getMessage()))
                .onFailure().retry()
                .withBackOff(config.events().retryBackoff(), config.events().maxRetryBackoff()).indefinitely()
                .invoke(outcome -> {
                    metrics.event(region, outcome, change.createdAt());
                    message.getMetadata(IncomingKafkaRecordMetadata.class).ifPresent(m -> metrics.applied(region,
                            Duration.between(m.getTimestamp(), Instant.now())));
                })
                .chain(() -> Uni.createFrom().completionStage(message.ack()));
    }
}
