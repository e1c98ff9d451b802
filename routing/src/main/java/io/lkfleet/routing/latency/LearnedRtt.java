package io.lkfleet.routing.latency;

import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * What clients of the same network measured before: an exponentially weighted moving average per
 * (tenant, client network, region), fed by every request that carried measured RTTs. Kept per
 * tenant so that one tenant's callers, whatever RTTs they send, cannot steer another tenant's joins. An estimate older
 * than {@code maxAge} is forgotten (networks and routes change); the table holds the most recently
 * used {@code capacity} entries. Per router instance, in memory: it is a hint, not state.
 */
public final class LearnedRtt implements LatencySource {
    private static final double WEIGHT_OF_NEW_SAMPLE = 0.3;

    private record Estimate(double ms, long atMillis) {
    }

    /** A record, not a joined string: no tenant or network name can spell another's key. */
    private record Key(String tenant, String network, String region) {
        static Key of(RouteRequest request, String region) {
            return new Key(Objects.toString(request.tenant(), ""), request.clientNetwork(), region);
        }
    }

    private final Duration maxAge;
    private final LongSupplier clock;
    private final Map<Key, Estimate> estimates;

    public LearnedRtt(Duration maxAge, int capacity, LongSupplier clockMillis) {
        this.maxAge = maxAge;
        this.clock = clockMillis;
        this.estimates = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Estimate> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public String name() {
        return "learned";
    }

    /** Feeds the RTTs a client measured into its network's estimates. */
    public synchronized void learn(RouteRequest request) {
        if (request.clientNetwork() == null || request.regionRttMs() == null) {
            return;
        }
        long now = clock.getAsLong();
        request.regionRttMs().forEach((region, ms) -> {
            Key key = Key.of(request, region);
            Estimate old = fresh(estimates.get(key), now);
            double value = old == null ? ms : old.ms() + WEIGHT_OF_NEW_SAMPLE * (ms - old.ms());
            estimates.put(key, new Estimate(value, now));
        });
    }

    @Override
    public synchronized OptionalDouble estimateMs(RouteRequest request, String region, FleetConfig.Region config) {
        if (request.clientNetwork() == null) {
            return OptionalDouble.empty();
        }
        Estimate estimate = fresh(estimates.get(Key.of(request, region)), clock.getAsLong());
        return estimate == null ? OptionalDouble.empty() : OptionalDouble.of(estimate.ms());
    }

    private Estimate fresh(Estimate estimate, long now) {
        return estimate != null && now - estimate.atMillis() <= maxAge.toMillis() ? estimate : null;
    }
}
