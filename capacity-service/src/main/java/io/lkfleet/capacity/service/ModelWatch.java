package io.lkfleet.capacity.service;

import io.lkfleet.capacity.metrics.CapacityMetrics;
import io.lkfleet.common.fleet.FleetConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Notices that lkfleet's Redis lost a region's model — restarted without persistence, flushed,
 * failed over to an empty replica: its {@code fleet:{region}:model} mark is gone — and rebuilds it
 * from LiveKit's present state ({@link RegionRebuild}), at start-up before the service is ready and
 * then on every check.
 */
@ApplicationScoped
public class ModelWatch {
    private static final Logger LOG = Logger.getLogger(ModelWatch.class);

    private final FleetConfig fleet;
    private final RegionRebuild rebuild;
    private final CapacityMetrics metrics;

    public ModelWatch(FleetConfig fleet, RegionRebuild rebuild, CapacityMetrics metrics) {
        this.fleet = fleet;
        this.rebuild = rebuild;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent start) {
        check();
    }

    @Scheduled(every = "${capacity.model.check-interval:1s}", delayed = "${capacity.model.check-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void check() {
        for (String region : fleet.regions().keySet()) {
            try {
                rebuild.rebuildIfLost(region).ifPresent(result -> {
                    LOG.warnf("no model of region %s in lkfleet's Redis (first start, or Redis lost it): rebuilt from"
                            + " LiveKit's present state, %d rooms in %d ms", region, result.rooms(), result.tookMs());
                    metrics.rebuilt(region);
                });
            } catch (RuntimeException e) {
                // Redis or Kafka unreachable: the next check tries again
                LOG.warnf("cannot check or rebuild region %s's model: %s", region, e.getMessage());
            }
        }
    }
}
