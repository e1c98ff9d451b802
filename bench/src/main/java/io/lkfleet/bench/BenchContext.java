package io.lkfleet.bench;

import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import java.nio.file.Path;
import java.time.Duration;

/** What every benchmark needs: the running fleet, where to write, and the load phases' lengths. */
record BenchContext(LocalFleet fleet, Path repoRoot, Path workDir, Path log, Wrk wrk, Duration warmUp,
        Duration measure, int connections) {

    String serviceUrl(String service) {
        return fleet.layout().services().get(service).url();
    }

    FleetLayout.Region region(String name) {
        return fleet.layout().regions().get(name);
    }

    String kafkaLib() {
        return repoRoot.resolve("deploy/local-kafka/target/lib").toString() + "/*";
    }
}
