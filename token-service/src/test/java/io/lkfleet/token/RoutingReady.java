package io.lkfleet.token;

import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.routing.livekit.LiveKitRegions;
import io.quarkus.redis.datasource.RedisDataSource;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Tests that route on the real fleet run token-service without capacity-service: they mark each
 * region's model whole, as capacity-service does once it built it (admission refuses a region
 * without the mark), and wait until token-service's routing has read both registries.
 */
public final class RoutingReady {
    static final String[] REGIONS = { "eu-west", "eu-central" };

    private RoutingReady() {
    }

    public static void await(RedisDataSource redis, LiveKitRegions livekit) {
        for (String region : REGIONS) {
            redis.value(String.class).set(RedisKeys.model(region), RedisKeys.MODEL_REBUILT + System.currentTimeMillis());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> livekit.nodes(region).size() == 2);
        }
    }
}
