package io.lkfleet.routing.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.DecisionRecord;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.fleet.FleetConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes every routing decision, admitted or refused, to {@code fleet.decisions} (key = room) as a
 * {@link DecisionRecord}, and counts it. The request never waits for Kafka: the record is handed to
 * the producer and its outcome only logged. The counters exist from start-up for every region and
 * reason, so a quiet alert reads 0, not "no data".
 */
@ApplicationScoped
public class DecisionPublisher {
    public static final String CHANNEL = "decisions";
    /** Reasons of an admission (a refusal's reason is a {@link Reason}). */
    public static final String NEW_ROOM = "new-room";
    public static final String PINNED = "pinned";
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

    void initialise(@Observes StartupEvent start, FleetConfig fleet) {
        fleet.regions().keySet().forEach(region -> {
            counter(DecisionRecord.ADMITTED, NEW_ROOM, region);
            counter(DecisionRecord.ADMITTED, PINNED, region);
        });
        for (Reason reason : Reason.values()) {
            counter(DecisionRecord.REFUSED, reason.slug(), null);
            fleet.regions().keySet().forEach(region -> counter(DecisionRecord.REFUSED, reason.slug(), region));
        }
    }

    public void publish(DecisionRecord decision) {
        counter(decision.outcome(), decision.reason(), decision.region()).increment();
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

    /** Looked up once per tag combination (outcomes, reasons and regions are few). */
    private Counter counter(String outcome, String reason, String region) {
        String regionTag = region == null ? "none" : region;
        return counters.computeIfAbsent(outcome + '\n' + reason + '\n' + regionTag, k -> meters.counter(
                "lkfleet.router.decisions", "outcome", outcome, "reason", reason, "region", regionTag));
    }
}
