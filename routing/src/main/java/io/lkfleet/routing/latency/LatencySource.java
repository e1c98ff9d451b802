package io.lkfleet.routing.latency;

import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import java.util.OptionalDouble;

/**
 * One way to guess a client's round-trip time to a region. {@link RegionRanking} asks the sources
 * in order of trust (measured, learned, geo, configured) and uses the best one that answers.
 */
public interface LatencySource {

    /** Name in decisions and metrics. */
    String name();

    /** Expected RTT in ms from this client to {@code region}, if this source can tell. */
    OptionalDouble estimateMs(RouteRequest request, String region, FleetConfig.Region config);
}
