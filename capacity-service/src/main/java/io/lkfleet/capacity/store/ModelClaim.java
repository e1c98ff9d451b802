package io.lkfleet.capacity.store;

import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.redis.LuaScript;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The one claim every rebuild of a region's model takes, in Redis, so it holds across any number
 * of capacity-service instances: the region's mark ({@link RedisKeys#model}) says
 * {@code rebuilding <ms> <id>} while a rebuild holds it (region-router admits nothing then) and
 * {@code rebuilt <ms>} once the model is whole. A claim expires unless renewed, so a rebuild whose
 * instance died frees the region for the next one. Released with the stream offsets the model was
 * taken at ({@link RedisKeys#snapshot}), in the same script that marks it whole.
 */
@ApplicationScoped
public class ModelClaim {
    private static final LuaScript CLAIM = LuaScript.load(ModelClaim.class, "model_claim.lua");

    private final RedisDataSource redis;

    public ModelClaim(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Claims {@code region} unless a rebuild holds it; the claim, or empty when refused. */
    public Optional<String> claim(String region, Duration ttl) {
        return claim("claim", region, ttl);
    }

    /** Claims {@code region} only if it has no mark at all (Redis lost its model); of several instances one gets it. */
    public Optional<String> claimLost(String region, Duration ttl) {
        return claim("claim-lost", region, ttl);
    }

    /** Extends the claim; false when it was lost (expired, or Redis lost it). */
    public boolean renew(String region, String claim, Duration ttl) {
        return run("renew", region, claim, List.of(Long.toString(ttl.toMillis())));
    }

    /**
     * Marks the model whole, with {@code resumeAt} (partition → first offset not in it); false when
     * the claim was lost meanwhile, and with it what the rebuild wrote.
     */
    public boolean release(String region, String claim, Map<Integer, Long> resumeAt) {
        List<String> args = new ArrayList<>(List.of(RedisKeys.MODEL_REBUILT + System.currentTimeMillis()));
        resumeAt.forEach((partition, offset) -> {
            args.add(Integer.toString(partition));
            args.add(Long.toString(offset));
        });
        return run("release", region, claim, args);
    }

    /** Gives the claim up without a model (the region has no mark: the watch rebuilds it again). */
    public void abandon(String region, String claim) {
        run("abandon", region, claim, List.of());
    }

    private Optional<String> claim(String op, String region, Duration ttl) {
        String claim = RedisKeys.MODEL_REBUILDING + System.currentTimeMillis() + " " + UUID.randomUUID();
        return run(op, region, claim, List.of(Long.toString(ttl.toMillis()))) ? Optional.of(claim) : Optional.empty();
    }

    private boolean run(String op, String region, String claim, List<String> rest) {
        List<String> args = new ArrayList<>(List.of(op, claim));
        args.addAll(rest);
        return CLAIM.run(redis, List.of(RedisKeys.model(region), RedisKeys.snapshot(region)), args).toLong() == 1;
    }
}
