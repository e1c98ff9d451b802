package io.lkfleet.ingest.metrics;

import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.ingest.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The service's meters. Every answered request counts once in {@code received} and once in either
 * {@code accepted} or {@code rejected}; tags not known yet (region before the token is verified,
 * event before the body is parsed) read {@code unknown}. Meters are looked up once per tag set and then
 * kept: registering on every request ran the registry's filters and id building each time. The
 * counters exist from start-up for every region, event type and reason, so a quiet alert reads 0,
 * not "no data".
 */
@Singleton
public class WebhookMetrics {
    public static final String RECEIVED = "lkfleet.webhook.received";
    public static final String ACCEPTED = "lkfleet.webhook.accepted";
    public static final String REJECTED = "lkfleet.webhook.rejected";
    public static final String PRODUCE = "lkfleet.webhook.produce";
    public static final String IN_FLIGHT = "lkfleet.webhook.inflight";
    public static final String SPOOLED = "lkfleet.webhook.spooled";
    public static final String QUARANTINED = "lkfleet.webhook.spool.quarantined";
    static final String UNKNOWN = "unknown";
    /** The event types LiveKit posts. */
    static final List<String> LIVEKIT_EVENTS = List.of("room_started", "room_finished", "participant_joined",
            "participant_left", "track_published", "track_unpublished", "egress_started", "egress_updated",
            "egress_ended", "ingress_started", "ingress_ended");

    private final MeterRegistry registry;
    private final AtomicInteger inFlight;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter[]>> acceptedByRegion = new ConcurrentHashMap<>();
    private final Map<String, Timer> ackedByRegion = new ConcurrentHashMap<>();
    private final Map<String, Timer> failedByRegion = new ConcurrentHashMap<>();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.inFlight = registry.gauge(IN_FLIGHT, new AtomicInteger());
    }

    void initialise(@Observes StartupEvent start, FleetConfig fleet) {
        List<String> regions = new ArrayList<>(fleet.regions().keySet());
        regions.add(UNKNOWN);
        // a rejection names the region once the token's issuer is known, the event once the body is parsed
        regions.forEach(region -> {
            counter(RECEIVED, "region", region);
            for (Reason reason : Reason.values()) {
                counter(REJECTED, "region", region, "event", UNKNOWN, "reason", reason.slug());
            }
        });
        fleet.regions().keySet().forEach(region -> LIVEKIT_EVENTS.forEach(event -> counter(ACCEPTED, "region", region,
                "event", event)));
    }

    public void accepted(String region, String event) {
        // Looked up without building a key or a lambda: this runs for every accepted webhook.
        Map<String, Counter[]> byEvent = acceptedByRegion.get(region);
        Counter[] counters = byEvent == null ? null : byEvent.get(event);
        if (counters == null) {
            counters = acceptedByRegion.computeIfAbsent(region, r -> new ConcurrentHashMap<>()).computeIfAbsent(event,
                    e -> new Counter[] {counter(RECEIVED, "region", region), counter(ACCEPTED, "region", region, "event", e)});
        }
        counters[0].increment();
        counters[1].increment();
    }

    public void rejected(String region, String event, Reason reason) {
        String r = region == null ? UNKNOWN : region;
        counter(RECEIVED, "region", r).increment();
        counter(REJECTED, "region", r, "event", event == null ? UNKNOWN : event, "reason", reason.slug()).increment();
    }

    /** Time from handing a record to the producer until Kafka acknowledged it (or gave up). */
    public void produced(String region, boolean acked, Duration took) {
        Map<String, Timer> byRegion = acked ? ackedByRegion : failedByRegion;
        Timer timer = byRegion.get(region);
        if (timer == null) {
            String outcome = acked ? "acked" : "failed";
            timer = byRegion.computeIfAbsent(region, r -> Timer.builder(PRODUCE).tag("region", r).tag("outcome", outcome)
                    .publishPercentileHistogram().register(registry));
        }
        timer.record(took);
    }

    /** {@code tags}: name, value, name, value… */
    private Counter counter(String name, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(List.of(tags));
        return counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
    }

    /** Events held on local disk, not yet in Kafka. */
    public <T> void spooled(T spool, ToDoubleFunction<T> size) {
        registry.gauge(SPOOLED, spool, size);
    }

    /** A spool file moved aside ({@code reason}: {@code unexpected-name}, {@code unreadable}). */
    public void quarantined(String reason) {
        counter(QUARANTINED, "reason", reason).increment();
    }

    /** Requests between arrival and answer. */
    public AtomicInteger inFlight() {
        return inFlight;
    }
}
