package io.lkfleet.e2e.observe;

import io.lkfleet.local.LocalFleet;
import org.junit.jupiter.api.BeforeAll;

/** Base of the observability tests: they share {@link ObservedFleet}'s fleet and its Prometheus. */
abstract class ObservedTest {
    static LocalFleet fleet;
    static PrometheusApi prometheus;

    @BeforeAll
    static void startFleet() {
        fleet = ObservedFleet.fleet();
        prometheus = ObservedFleet.prometheus();
    }
}
