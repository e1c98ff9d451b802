package io.lkfleet.routing.route;

import io.lkfleet.common.capacity.CapacityAssumptions;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.routing.config.RoutingConfig;
import io.lkfleet.routing.latency.LearnedRtt;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import livekit.LivekitInternal;

/**
 * A two-region fleet on paper (eu-west: jurisdictions eu, fr; eu-central: eu, de; two nodes each,
 * 100 subscriptions per node after headroom) and snapshots of it, for planner tests without servers.
 */
final class PlannerFixture {
    static final long NOW = 1_800_000_000_000L;
    static final String WEST = "eu-west";
    static final String CENTRAL = "eu-central";

    final SmallRyeConfig config;
    final FleetConfig fleet;
    final RoutingConfig router;
    final CapacityModel model;
    final Map<String, FleetSnapshot.Region> regions = new HashMap<>();
    String claimedRegion;

    PlannerFixture() {
        this(Map.of());
    }

    PlannerFixture(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(Map.of(
                "fleet.regions.eu-west.livekit-url", "ws://west", "fleet.regions.eu-west.api-key", "k",
                "fleet.regions.eu-west.api-secret", "s", "fleet.regions.eu-west.redis", "redis://west",
                "fleet.regions.eu-west.jurisdictions", "eu,fr", "fleet.regions.eu-west.latitude", "48.86",
                "fleet.regions.eu-west.longitude", "2.35"));
        values.putAll(Map.of(
                "fleet.regions.eu-central.livekit-url", "ws://central", "fleet.regions.eu-central.api-key", "k",
                "fleet.regions.eu-central.api-secret", "s", "fleet.regions.eu-central.redis", "redis://central",
                "fleet.regions.eu-central.jurisdictions", "eu,de", "fleet.regions.eu-central.latitude", "50.11",
                "fleet.regions.eu-central.longitude", "8.68", "fleet.node-classes.standard.max-subscriptions", "200",
                "fleet.node-classes.standard.egress-mbps", "1000", "fleet.capacity.headroom", "0.5"));
        values.putAll(overrides);
        config = new SmallRyeConfigBuilder().withMapping(FleetConfig.class).withMapping(RoutingConfig.class)
                .withMapping(CapacityAssumptions.class).withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new MapBackedConfigSource("test", values) {
                }).build();
        fleet = config.getConfigMapping(FleetConfig.class);
        router = config.getConfigMapping(RoutingConfig.class);
        model = new CapacityModel(config.getConfigMapping(CapacityAssumptions.class));
        nodes(WEST, "west-a", "west-b");
        nodes(CENTRAL, "central-a", "central-b");
    }

    RoutePlanner planner(long seed) {
        return new RoutePlanner(fleet, router, model, new LearnedRtt(Duration.ofHours(1), 100, () -> NOW),
                () -> new SplittableRandom(seed));
    }

    RoutePlanner planner() {
        return planner(42);
    }

    /** Serving nodes, updated just now, empty. */
    PlannerFixture nodes(String region, String... ids) {
        List<RegisteredNode> nodes = java.util.Arrays.stream(ids)
                .map(id -> registered(id, region, true, NOW / 1000)).toList();
        regions.put(region, new FleetSnapshot.Region(nodes, Set.of(), Map.of(), Map.of(), null, null));
        return this;
    }

    PlannerFixture with(String region, java.util.function.UnaryOperator<FleetSnapshot.Region> change) {
        regions.put(region, change.apply(regions.get(region)));
        return this;
    }

    PlannerFixture load(String region, String node, long subscriptions) {
        return with(region, r -> {
            Map<String, FleetSnapshot.Load> loads = new HashMap<>(r.loads());
            loads.put(node, new FleetSnapshot.Load(subscriptions, 0));
            return new FleetSnapshot.Region(r.nodes(), r.draining(), r.bookings(), loads, r.pin(), r.liveKitNode());
        });
    }

    PlannerFixture pin(String region, String node) {
        return with(region, r -> new FleetSnapshot.Region(r.nodes(), r.draining(), r.bookings(), r.loads(), node,
                r.liveKitNode()));
    }

    PlannerFixture liveKitNode(String region, String node) {
        return with(region, r -> new FleetSnapshot.Region(r.nodes(), r.draining(), r.bookings(), r.loads(), r.pin(),
                node));
    }

    PlannerFixture draining(String region, String... nodes) {
        return with(region, r -> new FleetSnapshot.Region(r.nodes(), Set.of(nodes), r.bookings(), r.loads(), r.pin(),
                r.liveKitNode()));
    }

    PlannerFixture booked(String region, String node, String room, long untilMillis) {
        return with(region, r -> {
            Map<String, FleetSnapshot.Booking> bookings = new HashMap<>(r.bookings());
            bookings.put(node, new FleetSnapshot.Booking(room, 20, untilMillis));
            return new FleetSnapshot.Region(r.nodes(), r.draining(), bookings, r.loads(), r.pin(), r.liveKitNode());
        });
    }

    /** {@code node} last reported {@code secondsAgo}, serving or shutting down. */
    PlannerFixture node(String region, String node, boolean serving, long secondsAgo) {
        return with(region, r -> new FleetSnapshot.Region(r.nodes().stream()
                .map(n -> n.id().equals(node) ? registered(node, region, serving, NOW / 1000 - secondsAgo) : n)
                .toList(), r.draining(), r.bookings(), r.loads(), r.pin(), r.liveKitNode()));
    }

    /** A node as LiveKit's registry shows it, gone 5 s after its last update (LiveKit's rule). */
    private static RegisteredNode registered(String id, String region, boolean serving, long updatedAtSeconds) {
        return new RegisteredNode(id, region, serving ? LivekitInternal.NodeState.SERVING
                : LivekitInternal.NodeState.SHUTTING_DOWN, updatedAtSeconds, updatedAtSeconds + 5, 0, 0, 0, 0, 0);
    }

    PlannerFixture claimed(String region) {
        claimedRegion = region;
        return this;
    }

    FleetSnapshot snapshot() {
        return new FleetSnapshot(NOW, claimedRegion, Map.copyOf(regions));
    }

    static RouteRequest join(String room, String role, Map<String, Integer> rtt) {
        return new RouteRequest("acme", room, "alice", role, rtt, null, null, null, null, null, null, null);
    }

    static RouteRequest join(String room, Map<String, Integer> rtt, Set<String> allowed, Set<String> jurisdictions,
            Integer expectedParticipants, Integer expectedPublishers) {
        return new RouteRequest("acme", room, "alice", "publisher", rtt, null, null, null, allowed, jurisdictions,
                expectedParticipants, expectedPublishers);
    }
}
