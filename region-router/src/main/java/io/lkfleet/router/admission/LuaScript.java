package io.lkfleet.router.admission;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** A Lua script loaded once and run with EVALSHA; loaded again after a Redis restart emptied the script cache. */
final class LuaScript {
    private final String source;
    private volatile String sha;

    LuaScript(String source) {
        this.source = source;
    }

    Response run(RedisDataSource redis, List<String> keys, List<String> args) {
        if (sha == null) {
            sha = redis.execute("SCRIPT", "LOAD", source).toString();
        }
        try {
            return redis.execute("EVALSHA", command(sha, keys, args));
        } catch (RuntimeException e) {
            if (!noScript(e)) {
                throw e;
            }
            sha = redis.execute("SCRIPT", "LOAD", source).toString();
            return redis.execute("EVALSHA", command(sha, keys, args));
        }
    }

    /** {@link #run} without blocking: for callers on the event loop. */
    Uni<Response> runAsync(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        String known = sha;
        Uni<String> loaded = known != null ? Uni.createFrom().item(known) : load(redis);
        return loaded.chain(s -> redis.execute("EVALSHA", command(s, keys, args)))
                .onFailure(LuaScript::noScript)
                .recoverWithUni(() -> load(redis).chain(s -> redis.execute("EVALSHA", command(s, keys, args))));
    }

    private Uni<String> load(ReactiveRedisDataSource redis) {
        return redis.execute("SCRIPT", "LOAD", source).map(loaded -> sha = loaded.toString());
    }

    private static boolean noScript(Throwable e) {
        return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
    }

    private static String[] command(String sha, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(sha);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }
}
