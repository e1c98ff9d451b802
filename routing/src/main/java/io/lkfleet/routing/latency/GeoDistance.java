package io.lkfleet.routing.latency;

import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import java.util.OptionalDouble;

/**
 * A location hint (lat/lon, e.g. from a CDN header) turned into an RTT guess: great-circle distance
 * over fibre (light at ~200,000 km/s, there and back, ×1.5 for real paths) plus a fixed 5 ms.
 */
public final class GeoDistance implements LatencySource {
    private static final double EARTH_RADIUS_KM = 6371;
    private static final double MS_PER_KM_ROUND_TRIP = 2 * 1.5 / 200.0;
    private static final double FIXED_MS = 5;

    @Override
    public String name() {
        return "geo";
    }

    @Override
    public OptionalDouble estimateMs(RouteRequest request, String region, FleetConfig.Region config) {
        if (request.latitude() == null || request.longitude() == null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(FIXED_MS + MS_PER_KM_ROUND_TRIP
                * distanceKm(request.latitude(), request.longitude(), config.latitude(), config.longitude()));
    }

    static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
    }
}
