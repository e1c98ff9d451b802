package io.lkfleet.routing.latency;

import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import java.util.OptionalDouble;

/** The RTT the client itself measured to the region and sent along: the best evidence there is. */
public final class MeasuredRtt implements LatencySource {
    @Override
    public String name() {
        return "measured";
    }

    @Override
    public OptionalDouble estimateMs(RouteRequest request, String region, FleetConfig.Region config) {
        Integer rtt = request.regionRttMs() == null ? null : request.regionRttMs().get(region);
        return rtt == null ? OptionalDouble.empty() : OptionalDouble.of(rtt);
    }
}
