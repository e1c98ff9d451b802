package io.lkfleet.routing.latency;

import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Orders candidate regions by expected latency for one client. Each region is judged by the most
 * trusted source that knows it (measured > learned > geo); regions nobody can estimate come last
 * in configured order ({@code routing.region-order}). So a region the client measured always
 * beats one that is only guessed.
 */
public final class RegionRanking {
    /** A region in rank order, with the source that placed it there. */
    public record Ranked(String region, String source, double estimateMs) {
    }

    private final List<LatencySource> sources;
    private final List<String> configuredOrder;

    public RegionRanking(List<LatencySource> sourcesByTrust, List<String> configuredOrder) {
        this.sources = List.copyOf(sourcesByTrust);
        this.configuredOrder = List.copyOf(configuredOrder);
    }

    public List<Ranked> rank(RouteRequest request, List<String> candidates, Map<String, FleetConfig.Region> regions) {
        List<Ranked> ranked = new ArrayList<>();
        for (String region : candidates) {
            ranked.add(best(request, region, regions.get(region))
                    .orElse(new Ranked(region, "configured", configuredOrder.indexOf(region))));
        }
        ranked.sort(Comparator.comparingInt((Ranked r) -> trust(r.source())).thenComparingDouble(Ranked::estimateMs)
                .thenComparing(r -> configuredOrder.indexOf(r.region())));
        return ranked;
    }

    private Optional<Ranked> best(RouteRequest request, String region, FleetConfig.Region config) {
        for (LatencySource source : sources) {
            OptionalDouble ms = source.estimateMs(request, region, config);
            if (ms.isPresent()) {
                return Optional.of(new Ranked(region, source.name(), ms.getAsDouble()));
            }
        }
        return Optional.empty();
    }

    private int trust(String source) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i).name().equals(source)) {
                return i;
            }
        }
        return sources.size();
    }
}
