package io.lkfleet.capacity.metrics;

import io.lkfleet.capacity.GuardReport;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.fleet.FleetConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import java.time.Duration;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * capacity-service's meters ({@code lkfleet.capacity.*}). Per-node and per-region gauges read the
 * latest snapshot the registry poller took of the model in Redis, so a scrape never touches Redis.
 * Every region's counters, lag and guard gauges exist from start-up, so a quiet alert reads 0, not
 * "no data" (per-node gauges appear with the node).
 */
@Startup
@ApplicationScoped
public class CapacityMetrics {
    /** Outcomes of one webhook event, as apply_event.lua returns them, plus {@code malformed}. */
    static final List<String> EVENT_OUTCOMES = List.of(LoadStore.APPLIED, LoadStore.DUPLICATE, "stale", "finished",
            "unknown_room", "malformed");

    /** A node's load as last read: the model's, LiveKit's measured, and the share of its limit still free. */
    public record NodeLoad(double subscriptions, double measuredTracksOut, double headroomRatio) {
    }

    /** A region's load as last read. */
    public record RegionLoad(double participants, double subscriptions, double headroomRatio) {
    }

    private final MeterRegistry registry;
    private final Map<String, AtomicReference<NodeLoad>> nodes = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<RegionLoad>> regions = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> lag = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<GuardReport>> guards = new ConcurrentHashMap<>();
    // Looked up once per tag set and kept: a poll counts hundreds of events, and registering each time
    // ran the registry's filters and id building per event on the consumer's thread.
    private final Map<List<String>, Counter> events = new ConcurrentHashMap<>();
    private final Map<String, Timer> applyLag = new ConcurrentHashMap<>();

    public CapacityMetrics(MeterRegistry registry, FleetConfig fleet) {
        this.registry = registry;
        fleet.regions().keySet().forEach(region -> {
            EVENT_OUTCOMES.forEach(outcome -> registry.counter("lkfleet.capacity.events", "region", region, "outcome",
                    outcome));
            lag(region);
            guards(new GuardReport(region, List.of(), List.of()));
        });
    }

    /** One webhook event handled, with its outcome ({@code applied}, {@code duplicate}, {@code malformed}, ...). */
    public void event(String region, String outcome, long createdAtEpochSeconds) {
        events.computeIfAbsent(List.of(region, outcome), k -> registry.counter("lkfleet.capacity.events", "region", region,
                "outcome", outcome)).increment();
        if (createdAtEpochSeconds > 0) {
            lag(region).set(Math.max(0, System.currentTimeMillis() / 1000.0 - createdAtEpochSeconds));
        }
    }

    private AtomicReference<Double> lag(String region) {
        return lag.computeIfAbsent(region, r -> {
            AtomicReference<Double> ref = new AtomicReference<>(0.0);
            Gauge.builder("lkfleet.capacity.consumer.lag.seconds", ref, AtomicReference::get)
                    .description("Seconds from LiveKit creating the last applied event to its being applied")
                    .tags("region", r).baseUnit("seconds").register(registry);
            return ref;
        });
    }

    /** Time from the record reaching Kafka to its event being applied in Redis. */
    public void applied(String region, Duration sinceRecordTimestamp) {
        applyLag.computeIfAbsent(region, r -> Timer.builder("lkfleet.capacity.apply.lag")
                .description("Kafka record timestamp to event applied in Redis")
                .tags("region", r)
                .publishPercentiles(0.5, 0.99)
                .register(registry))
                .record(sinceRecordTimestamp.isNegative() ? Duration.ZERO : sinceRecordTimestamp);
    }

    /** The region's model was missing from lkfleet's Redis and was rebuilt from the topic. */
    public void rebuilt(String region) {
        registry.counter("lkfleet.capacity.model.rebuilds", "region", region).increment();
    }

    /** A node stopped reporting: it was marked gone and {@code rooms} rooms were lost with it. */
    public void nodeGone(String region, long rooms) {
        registry.counter("lkfleet.capacity.nodes.gone", "region", region).increment();
        registry.counter("lkfleet.capacity.rooms.lost", "region", region).increment(rooms);
    }

    public void node(String region, String node, NodeLoad load) {
        nodes.computeIfAbsent(region + "/" + node, key -> {
            AtomicReference<NodeLoad> ref = new AtomicReference<>(load);
            Tags tags = Tags.of("region", region, "node", node);
            gauge("lkfleet.capacity.node.subscriptions", "Forwarded tracks on the node, by the model", ref, tags,
                    NodeLoad::subscriptions);
            gauge("lkfleet.capacity.node.measured.tracks.out", "Forwarded tracks on the node, by LiveKit (num_tracks_out)",
                    ref, tags, NodeLoad::measuredTracksOut);
            gauge("lkfleet.capacity.node.deviation", "Model minus measured forwarded tracks", ref, tags,
                    l -> l.subscriptions() - l.measuredTracksOut());
            gauge("lkfleet.capacity.node.headroom.ratio", "Share of the node's admission limit still free", ref, tags,
                    NodeLoad::headroomRatio);
            return ref;
        }).set(load);
    }

    public void region(String region, RegionLoad load) {
        regions.computeIfAbsent(region, key -> {
            AtomicReference<RegionLoad> ref = new AtomicReference<>(load);
            Tags tags = Tags.of("region", region);
            gauge("lkfleet.capacity.region.participants", "Participants in the region, by the model", ref, tags,
                    RegionLoad::participants);
            gauge("lkfleet.capacity.region.subscriptions", "Forwarded tracks in the region, by the model", ref, tags,
                    RegionLoad::subscriptions);
            gauge("lkfleet.capacity.region.headroom.ratio", "Share of the live nodes' admission limits still free", ref,
                    tags, RegionLoad::headroomRatio);
            return ref;
        }).set(load);
    }

    public void guards(GuardReport report) {
        guards.computeIfAbsent(report.region(), key -> {
            AtomicReference<GuardReport> ref = new AtomicReference<>(report);
            Tags tags = Tags.of("region", report.region());
            gauge("lkfleet.capacity.guard.idle.rooms", "Rooms with no participants past the grace period, not closed",
                    ref, tags, r -> r.idleRooms().size());
            gauge("lkfleet.capacity.guard.egress.without.publishers", "Rooms recording with no publisher left", ref,
                    tags, r -> r.egressWithoutPublishers().size());
            return ref;
        }).set(report);
    }

    private <T> void gauge(String name, String description, AtomicReference<T> ref, Tags tags, ToDoubleFunction<T> value) {
        Gauge.builder(name, ref, r -> value.applyAsDouble(r.get())).description(description).tags(tags)
                .register(registry);
    }
}
