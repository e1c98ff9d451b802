package io.lkfleet.token.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A token bucket per tenant (per instance of token-service): the tenant's rate sustained, bursts up
 * to twice that. A bucket follows rate changes of a reloaded tenants file.
 */
@ApplicationScoped
public class TenantRateLimiter {
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** True when the tenant may make one more request now. */
    public boolean tryAcquire(Tenant tenant) {
        return buckets.computeIfAbsent(tenant.id(), id -> new Bucket()).tryTake(tenant.ratePerSecond(), System.nanoTime());
    }

    private static final class Bucket {
        private double tokens = -1;
        private long lastNanos;

        synchronized boolean tryTake(int ratePerSecond, long nowNanos) {
            double capacity = 2.0 * ratePerSecond;
            tokens = tokens < 0 ? capacity : Math.min(capacity, tokens + (nowNanos - lastNanos) / 1e9 * ratePerSecond);
            lastNanos = nowNanos;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
