package io.lkfleet.capacity;

import static org.awaitility.Awaitility.await;

import io.lkfleet.common.contract.RedisKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import java.time.Duration;

/** The region's model as region-router sees it: whole once its mark says rebuilt. */
final class ModelMarks {
    private ModelMarks() {
    }

    /**
     * Marks a region of the test's own (no LiveKit behind it, so no rebuild) whole, as a rebuild
     * would: the model's scripts write a region only while it is.
     */
    static void markRebuilt(RedisDataSource redis, String region) {
        redis.value(String.class).set(RedisKeys.model(region), RedisKeys.MODEL_REBUILT + System.currentTimeMillis());
    }

    /** Waits until {@code region}'s model is marked whole (rebuilt by the watch or an operator). */
    static void awaitRebuilt(RedisDataSource redis, String region) {
        await().atMost(Duration.ofSeconds(60)).until(() -> String.valueOf(redis.value(String.class)
                .get(RedisKeys.model(region))).startsWith(RedisKeys.MODEL_REBUILT));
    }
}
