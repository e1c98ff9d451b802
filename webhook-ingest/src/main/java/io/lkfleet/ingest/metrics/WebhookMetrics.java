package io.lkfleet.ingest.metrics;

import io.lkfleet.ingest.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The service's meters. Every answered request counts once in {@code received} and once in either
 * {@code accepted} or {@code rejected}; tags not known yet (region before the token is verified,
 * event before the body is parsed) read {@code unknown}.
 */
@ApplicationScoped
public class WebhookMetrics {
    public static final String RECEIVED = "lkfleet.webhook.received";
    public static final String ACCEPTED = "lkfleet.webhook.accepted";
    public static final String REJECTED = "lkfleet.webhook.rejected";
    public static final String PRODUCE = "lkfleet.webhook.produce";
    public static final String IN_FLIGHT = "lkfleet.webhook.inflight";
    public static final String SPOOLED = "lkfleet.webhook.spooled";
    static final String UNKNOWN = "unknown";

    private final MeterRegistry registry;
    private final AtomicInteger inFlight;

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.inFlight = registry.gauge(IN_FLIGHT, new AtomicInteger());
    }

    public void accepted(String region, String event) {
        Counter.builder(RECEIVED).tag("region", region).register(registry).increment();
        Counter.builder(ACCEPTED).tag("region", region).tag("event", event).register(registry).increment();
    }

    public void rejected(String region, String event, Reason reason) {
        String r = region == null ? UNKNOWN : region;
        Counter.builder(RECEIVED).tag("region", r).register(registry).increment();
        Counter.builder(REJECTED).tag("region", r).tag("event", event == null ? UNKNOWN : event)
                .tag("reason", reason.slug()).register(registry).increment();
    }

    /** Time from handing a record to the producer until Kafka acknowledged it (or gave up). */
    public void produced(String region, boolean acked, Duration took) {
        Timer.builder(PRODUCE).tag("region", region).tag("outcome", acked ? "acked" : "failed")
                .publishPercentileHistogram().register(registry).record(took);
    }

    /** Events held on local disk, not yet in Kafka. */
    public <T> void spooled(T spool, ToDoubleFunction<T> size) {
        registry.gauge(SPOOLED, spool, size);
    }

    /** Requests between arrival and answer. */
    public AtomicInteger inFlight() {
        return inFlight;
    }
}
