package io.lkfleet.router;

import io.lkfleet.common.contract.RedisKeys;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * These tests run region-router without capacity-service, so they mark the regions' models whole
 * as capacity-service does once it built them; admission refuses regions without the mark.
 */
final class ModelMarks {
    private ModelMarks() {
    }

    static void markRebuilt(RedisDataSource redis, String... regions) {
        for (String region : regions) {
            redis.value(String.class).set(RedisKeys.model(region), RedisKeys.MODEL_REBUILT + System.currentTimeMillis());
        }
    }
}
