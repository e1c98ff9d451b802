package io.lkfleet.routing.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.contract.RouteRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LearnedRttTests {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LearnedRtt learned = new LearnedRtt(Duration.ofHours(1), 1000, now::get);

    @Test
    void anotherTenantsRttsDoNotReachThisTenantsEstimates() {
        learned.learn(request("mallory", Map.of("eu-west", 900)));
        assertTrue(learned.estimateMs(request("acme", null), "eu-west", null).isEmpty(),
                "acme's callers from the same network learned nothing from mallory's");
        assertEquals(900, learned.estimateMs(request("mallory", null), "eu-west", null).getAsDouble());
    }

    @Test
    void aTenantsEstimateFollowsItsOwnSamples() {
        learned.learn(request("acme", Map.of("eu-west", 100)));
        learned.learn(request("acme", Map.of("eu-west", 200)));
        assertEquals(130, learned.estimateMs(request("acme", null), "eu-west", null).getAsDouble(), 1e-9);
    }

    @Test
    void estimatesOlderThanMaxAgeAreForgotten() {
        learned.learn(request("acme", Map.of("eu-west", 100)));
        now.addAndGet(Duration.ofHours(2).toMillis());
        assertTrue(learned.estimateMs(request("acme", null), "eu-west", null).isEmpty());
    }

    private static RouteRequest request(String tenant, Map<String, Integer> rtts) {
        return new RouteRequest(tenant, "room", "alice", "publisher", rtts, "203.0.113.0/24", null, null, null, null,
                null, null);
    }
}
