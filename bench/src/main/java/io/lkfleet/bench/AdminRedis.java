package io.lkfleet.bench;

import io.lkfleet.local.RedisUsers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * redis-cli and redis-benchmark against lkfleet's Redis, which requires a user: the operator's
 * ({@link RedisUsers#ADMIN}). redis-cli reads the password from {@code REDISCLI_AUTH}; redis-benchmark
 * takes it only as {@code -a}, which {@link Procs} masks in the log.
 */
final class AdminRedis {
    private final String port;
    private final String password;

    AdminRedis(BenchContext ctx) {
        this.port = Integer.toString(ctx.fleet().layout().fleetRedisPort());
        this.password = ctx.fleet().layout().local().credentials().redisPasswords().get(RedisUsers.ADMIN);
    }

    /** {@code redis-cli} and its connection arguments, then {@code args}. */
    List<String> cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", port, "--user", RedisUsers.ADMIN));
        command.addAll(List.of(args));
        return command;
    }

    /** The environment {@link #cli} needs. */
    Map<String, String> env() {
        return Map.of("REDISCLI_AUTH", password);
    }

    /** {@code redis-benchmark} and its connection arguments, then {@code args}. */
    List<String> benchmark(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", port, "--user",
                RedisUsers.ADMIN, "-a", password));
        command.addAll(List.of(args));
        return command;
    }
}
