package io.lkfleet.router.admission;

import io.quarkus.redis.datasource.RedisDataSource;
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
            return redis.execute("EVALSHA", command(keys, args));
        } catch (RuntimeException e) {
            if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                throw e;
            }
            sha = redis.execute("SCRIPT", "LOAD", source).toString();
            return redis.execute("EVALSHA", command(keys, args));
        }
    }

    private String[] command(List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(sha);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }
}
