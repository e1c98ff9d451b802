package io.lkfleet.capacity;

import io.lkfleet.common.contract.RedisKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** A canonical, order-free text dump of every lkfleet key of one region, with the region name neutralised. */
final class RedisDump {
    private RedisDump() {
    }

    static Map<String, String> of(RedisDataSource redis, String region) {
        KeyCommands<String> keys = redis.key(String.class);
        String prefix = RedisKeys.region(region);
        Map<String, String> dump = new TreeMap<>();
        // SCAN, not KEYS: the service's Redis user may not run KEYS (deploy/k8s/base/lkfleet-redis-users.acl)
        for (String key : keys.scan(new KeyScanArgs().match(RedisKeys.regionPattern(region)).count(1000)).toIterable()) {
            String content = switch (keys.type(key)) {
                case HASH -> new TreeMap<>(redis.hash(String.class).hgetall(key)).toString();
                case SET -> new TreeSet<>(redis.set(String.class).smembers(key)).toString();
                case ZSET -> new TreeSet<>(redis.sortedSet(String.class).zrangeWithScores(key, 0, -1).stream()
                        .map(s -> s.value() + "=" + s.score()).toList()).toString();
                default -> keys.type(key).name();
            };
            dump.put(key.substring(prefix.length()), content);
        }
        return dump;
    }
}
