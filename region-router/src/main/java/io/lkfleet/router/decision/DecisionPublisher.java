package io.lkfleet.router.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes every routing decision, admitted or refused, to {@code fleet.decisions} (key = room) as a
 * {@link DecisionRecord}, and counts it. The request never waits for Kafka: the record is handed to
 * the producer and its outcome only logged.
 */
@ApplicationScoped
public class DecisionPublisher {
    public static final String CHANNEL = "decisions";
    private static final Logger LOG = Logger.getLogger(DecisionPublisher.class);

    private final Emitter<Record<String, String>> emitter;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public DecisionPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
            Emitter<Record<String, String>> emitter, ObjectMapper json, MeterRegistry meters) {
        this.emitter = emitter;
        this.json = json;
        this.meters = meters;
    }

    public void publish(DecisionRecord decision) {
        String region = decision.region() == null ? "none" : decision.region();
        // looked up once per tag combination (outcomes, reasons and regions are few)
        counters.computeIfAbsent(decision.outcome() + '\n' + decision.reason() + '\n' + region, k -> meters.counter(
                "lkfleet.router.decisions", "outcome", decision.outcome(), "reason", decision.reason(), "region",
                region)).increment();
        try {
            emitter.send(Record.of(decision.room(), json.writeValueAsString(decision))).whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.warnf("decision for room %s not published to %s: %s", decision.room(), Topics.DECISIONS,
                            error.getMessage());
                }
            });
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warnf("decision for room %s not published: %s", decision.room(), e.getMessage());
        }
    }
}
