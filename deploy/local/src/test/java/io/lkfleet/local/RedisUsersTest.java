package io.lkfleet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.local.testing.TestFleet;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lkfleet's Redis as the local fleet runs it, with the ACL file every deployment uses: the default
 * user is off, and each service's user may run only its own commands on {@code fleet:} keys.
 */
class RedisUsersTest {
    private static final Path DEV_FLEET = new LocalFleet.Options().fleetFile();
    @TempDir
    static Path tmp;
    private static LocalFleet fleet;
    private static final Vertx VERTX = Vertx.vertx();

    @BeforeAll
    static void startRedis() {
        fleet = LocalFleet.start(new LocalFleet.Options().freePorts().withoutLiveKit().runDir(tmp.resolve("run"))
                .overrides(TestFleet.randomSecrets(DEV_FLEET)).services(List.of()));
    }

    @AfterAll
    static void stop() {
        fleet.close();
        VERTX.close();
    }

    @Test
    void renderedFileHoldsHashesNotPasswords() throws Exception {
        String rendered = Files.readString(fleet.runDir().root().resolve("lkfleet-redis-users.acl"));
        fleet.layout().local().credentials().redisPasswords().values()
                .forEach(p -> assertFalse(rendered.contains(p), "a password in clear in the ACL file"));
        assertTrue(rendered.lines().filter(l -> l.startsWith("user region-router ")).allMatch(l -> l.matches(".* #[0-9a-f]{64}")));
        assertThrows(FleetStartException.class, () -> RedisUsers.render("user default off\n", Map.of("ghost", "x")));
    }

    @Test
    void defaultUserIsDisabled() {
        assertTrue(error(fleet.layout().fleetRedisUri(), cmd("SET", "fleet:x", "1")).contains("NOAUTH"));
        String asDefault = fleet.layout().fleetRedisUri().replace("redis://", "redis://default:anything@");
        assertTrue(error(asDefault, cmd("PING")).contains("WRONGPASS"));
        String replica = fleet.layout().fleetRedisUri().replace("redis://", "redis://lkfleet-replica:@");
        assertTrue(error(replica, cmd("PING")).contains("WRONGPASS"), "a user without a password cannot log in");
    }

    @Test
    void serviceUsersCannotRunWhatTheyMustNot() {
        for (String user : List.of("capacity-service", "region-router", "token-service")) {
            String uri = fleet.layout().fleetRedisUri(user);
            assertEquals("OK", ok(uri, cmd("SET", "fleet:{t}:acl-test", "1")), user + " writes fleet keys");
            for (Request forbidden : List.of(cmd("FLUSHALL"), cmd("FLUSHDB"), cmd("KEYS", "*"), cmd("CONFIG", "SET", "save", ""),
                    cmd("SHUTDOWN"), cmd("ACL", "LIST"), cmd("CLIENT", "KILL", "TYPE", "normal"),
                    cmd("SET", "other:key", "1"), cmd("GET", "nodes"), cmd("MONITOR"))) {
                assertTrue(error(uri, forbidden).contains("NOPERM"), user + " ran " + forbidden);
            }
            assertTrue(error(uri, cmd("EVAL", "return redis.call('SET', KEYS[1], '1')", "1", "other:key")).contains("NOPERM"),
                    user + " cannot hand a script another key");
            assertTrue(error(uri, cmd("EVAL", "return redis.call('SET', 'other:key', '1')", "0")).contains("can't access"),
                    user + "'s scripts stay within fleet: keys");
            String flushInScript = error(uri, cmd("EVAL", "return redis.call('FLUSHALL')", "0"));
            assertTrue(flushInScript.contains("can't run") || flushInScript.contains("NOPERM"),
                    user + "'s scripts cannot run what the user cannot: " + flushInScript);
        }
        // token-service routes in process: the commands routing runs, by name; no drains (region-router's admin API)
        String tokens = fleet.layout().fleetRedisUri("token-service");
        assertTrue(error(tokens, cmd("SADD", "fleet:{t}:draining", "node")).contains("NOPERM"), "token-service drained a node");
        assertTrue(error(tokens, cmd("SCAN", "0")).contains("NOPERM"), "token-service listed keys");
        String wrong = fleet.layout().fleetRedisUri().replace("redis://", "redis://capacity-service:wrong@");
        assertTrue(error(wrong, cmd("PING")).contains("WRONGPASS"));
        assertEquals("1", ok(fleet.layout().fleetRedisUri(RedisUsers.ADMIN), cmd("EXISTS", "fleet:{t}:acl-test")),
                "nothing above flushed the keys");
    }

    private static Request cmd(String name, String... args) {
        Request request = Request.cmd(io.vertx.redis.client.Command.create(name));
        for (String a : args) {
            request.arg(a);
        }
        return request;
    }

    private static String ok(String uri, Request request) {
        try {
            return send(uri, request).toString();
        } catch (ExecutionException e) {
            throw new AssertionError(request + " failed: " + e.getCause().getMessage(), e);
        }
    }

    /** The error Redis answered {@code request} with; fails if it was allowed. */
    private static String error(String uri, Request request) {
        try {
            throw new AssertionError(request + " was allowed: " + send(uri, request));
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause().getMessage());
        }
    }

    private static Response send(String uri, Request request) throws ExecutionException {
        Redis client = Redis.createClient(VERTX, uri);
        try {
            return client.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(request + " got no answer", e);
        } finally {
            client.close();
        }
    }
}
