package io.lkfleet.bench;

import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import java.nio.file.Path;
import java.time.Duration;

/** What every benchmark needs: the running fleet, where to write, and the load phases' lengths. */
record BenchContext(LocalFleet fleet, Path repoRoot, Path workDir, Path log, Wrk wrk, Duration warmUp,
        Duration measure, int connections) {

    /**
     * Warm-up for the first load on JVMs that just started: at least 30 s, since the JIT needs that
     * long on this busy 2-core box (after 5 s the services ran half interpreted; after 15 s they
     * still used 2.5× the CPU per request they use warm). The peer gets the same.
     */
    Duration jvmWarmUp() {
        Duration least = Duration.ofSeconds(30);
        return warmUp.compareTo(least) < 0 ? least : warmUp;
    }

    String serviceUrl(String service) {
        return fleet.layout().services().get(service).url();
    }

    FleetLayout.Region region(String name) {
        return fleet.layout().regions().get(name);
    }

    /** lkfleet's Redis (redis-fleet), from the local fleet's pid file. */
    long fleetRedisPid() throws java.io.IOException {
        return Long.parseLong(java.nio.file.Files.readString(workDir.resolve("fleet/pids/redis-fleet.pid")).trim());
    }

    String kafkaLib() {
        return repoRoot.resolve("deploy/local-kafka/target/lib").toString() + "/*";
    }
}
