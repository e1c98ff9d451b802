package io.lkfleet.token.rest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The issued/refused counters, looked up once per tag combination: a registry lookup per request
 * (tags sorted, id built, map searched) costs more than the counting. Tags come from the tenants
 * file, the fleet's regions and the fixed refusal reasons, so the cache stays small.
 */
final class TokenMeters {
    private final MeterRegistry registry;
    private final Map<String, Counter> issued = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();

    TokenMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void issued(String tenant, String region) {
        issued.computeIfAbsent(tenant + '\n' + region,
                k -> registry.counter("lkfleet.tokens.issued", "tenant", tenant, "region", region)).increment();
    }

    void refused(String tenant, String reason) {
        refused.computeIfAbsent(tenant + '\n' + reason,
                k -> registry.counter("lkfleet.tokens.refused", "tenant", tenant, "reason", reason)).increment();
    }
}
