package io.lkfleet.bench;

import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import java.nio.file.Path;
import java.time.Duration;

/** What every benchmark needs: the running fleet, where to write, and the load phases' lengths. */
record BenchContext(LocalFleet fleet, Path repoRoot, Path workDir, Path log, Wrk wrk, Duration warmUp,
        Duration measure, int connections) {

    /**
     * Warm-up for the first load on JVMs that just started: at least 15 s, since the JIT needs that
     * long on this busy 2-core box before a service runs compiled code (5 s measured a JVM half
     * interpreted). The peer gets the same.
     */
    Duration jvmWarmUp() {
        Duration least = Duration.ofSeconds(15);
        return warmUp.compareTo(least) < 0 ? least : warmUp;
    }

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
