package io.lkfleet.common.redis;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * lkfleet's one Lua script loader. A script is a {@code .lua} resource next to the class that runs
 * it, read once. It runs by {@code EVALSHA} (Redis's SHA-1 of the source, computed here, so no
 * {@code SCRIPT LOAD} round trip) and falls back to {@code EVAL}, which also caches it, when the
 * server does not know it (first use, restart, failover). Every script declares in {@code keys} a key
 * of the one slot it works in (a region's {@code {region}} tag) and builds any other key it touches in
 * that slot, so it runs on Redis Cluster, where its {@link #SHEBANG} lets Redis refuse any other slot.
 *
 * <p>Needs {@code quarkus-redis-client}, an optional dependency of common: services without Redis
 * never load this class.
 */
public final class LuaScript {
    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /**
     * Loads {@code resource}, preceded by lkfleet's key layout ({@value #KEYS_LIBRARY}: {@code roomKeyOf},
     * {@code nodeKeyOf}, {@code encodeName}, the Lua twin of {@link io.lkfleet.common.contract.RedisKeys})
     * and the shared {@code libraries} it calls (next to {@code owner}).
     */
    public static LuaScript load(Class<?> owner, String resource, String... libraries) {
        StringBuilder source = new StringBuilder(SHEBANG).append(read(LuaScript.class, KEYS_LIBRARY));
        for (String library : libraries) {
            source.append(read(owner, library));
        }
        return new LuaScript(resource, source.append(read(owner, resource)).toString());
    }

    /**
     * First line of every script: Redis 7's shebang, no flags. On a Redis Cluster it makes Redis refuse
     * a script that touches a key outside the slot of the keys it declares (without it a script may
     * reach any slot its master holds), so "one script, one region" is checked by the server itself.
     */
    static final String SHEBANG = "#!lua\n";

    /** The key layout's Lua twin, next to this class: a native build lists it in {@code quarkus.native.resources.includes}. */
    static final String KEYS_LIBRARY = "redis_keys.lua";

    private static String read(Class<?> owner, String part) {
        try (InputStream in = owner.getResourceAsStream(part)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + part + " missing next to " + owner.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + '\n';
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + part, e);
        }
    }

    public String name() {
        return name;
    }

    /** The script's text, as {@code EVAL} takes it (e.g. for redis-benchmark). */
    public String source() {
        return source;
    }

    /** Redis's id of the script for {@code EVALSHA}. */
    public String sha() {
        return sha;
    }

    /** Runs the script without blocking. */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        return redis.execute(Command.EVALSHA, arguments(sha, keys, args))
                .onFailure(LuaScript::unknownScript)
                .recoverWithUni(() -> redis.execute(Command.EVAL, arguments(source, keys, args)));
    }

    /** Runs the script through {@code send} (e.g. one connection shared by concurrent calls), without blocking. */
    public Future<io.vertx.redis.client.Response> run(Function<Request, Future<io.vertx.redis.client.Response>> send,
            List<String> keys, List<String> args) {
        return send.apply(request(Command.EVALSHA, arguments(sha, keys, args)))
                .recover(e -> unknownScript(e) ? send.apply(request(Command.EVAL, arguments(source, keys, args)))
                        : Future.failedFuture(e));
    }

    /** One argument at a time: {@code Request.cmd(command, array)} writes the encoded bytes back into the array. */
    private static Request request(Command command, String[] arguments) {
        Request request = Request.cmd(command);
        for (String argument : arguments) {
            request.arg(argument);
        }
        return request;
    }

    /** Runs the script, blocking the calling (worker) thread. */
    public Response run(RedisDataSource redis, List<String> keys, List<String> args) {
        try {
            return redis.execute(Command.EVALSHA, arguments(sha, keys, args));
        } catch (RuntimeException e) {
            if (!unknownScript(e)) {
                throw e;
            }
            return redis.execute(Command.EVAL, arguments(source, keys, args));
        }
    }

    /** {@code EVALSHA} arguments for a pipelined batch ({@code Request.cmd(EVALSHA)}); see {@link #unknownScript}. */
    public String[] evalshaArguments(List<String> keys, List<String> args) {
        return arguments(sha, keys, args);
    }

    /** {@code EVAL} arguments: the fallback when the server answered {@link #unknownScript}. */
    public String[] evalArguments(List<String> keys, List<String> args) {
        return arguments(source, keys, args);
    }

    /**
     * True for Redis's NOSCRIPT error: the server does not have the script cached. Matched anywhere in
     * the message, as a pipelined batch's error starts with the failed command's place ({@code ERR [0] NOSCRIPT ...}).
     */
    public static boolean unknownScript(Throwable e) {
        return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
    }

    private static String[] arguments(String script, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(script);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
