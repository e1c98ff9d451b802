package io.lkfleet.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.lkfleet.local.RedisUsers;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.lkfleet.routing.PipelinedRedis;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The admission script's connection (issue 15): the commands one event loop makes at once go out on one
 * connection to lkfleet's Redis, not one each, and a connection Redis drops is replaced by the next command.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class PipelinedRedisTest {
    private static final Request CLIENT_ID = Request.cmd(Command.CLIENT).arg("ID");
    private static final String NEVER_FED = "fleet:test:never-fed";

    @Inject
    PipelinedRedis pipelined;

    @Inject
    Vertx vertx;

    @Test
    void oneEventLoopsCommandsShareOneConnectionAndADroppedOneIsReplaced() throws Exception {
        Context loop = vertx.getOrCreateContext();
        List<Long> ids = on(loop, () -> {
            List<Future<Response>> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                sent.add(pipelined.send(CLIENT_ID));
            }
            return Future.all(sent).map(all -> sent.stream().map(f -> f.result().toLong()).toList());
        });
        assertEquals(1, ids.stream().distinct().count(), "100 commands made at once on one event loop used " + ids);
        long first = ids.get(0);

        Redis operator = Redis.createClient(vertx, TestFleet.get().layout().fleetRedisUri(RedisUsers.ADMIN));
        try {
            operator.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(first)).toCompletionStage()
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            operator.close();
        }
        // the command in flight when the connection dropped may fail; the ones after it go out on a new one
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> on(loop, () -> pipelined.send(CLIENT_ID)).toLong() != first);
        assertNotEquals(first, on(loop, () -> pipelined.send(CLIENT_ID)).toLong());
    }

    @Test
    void aConnectionThatAnswersNothingIsGivenUpAfterTheLongestBoundedWait() throws Exception {
        Context loop = vertx.getOrCreateContext();
        long silent = on(loop, () -> pipelined.send(CLIENT_ID)).toLong();
        // a pop nothing feeds holds this connection's answers while Redis answers every other connection:
        // what a connection a network partition cut looks like from here
        CompletableFuture<Response> popped = new CompletableFuture<>();
        loop.runOnContext(ignored -> pipelined.send(Request.cmd(Command.BLPOP).arg(NEVER_FED).arg(0))
                .onComplete(done -> popped.complete(done.result())));

        long replacement = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> on(loop, () -> pipelined.send(CLIENT_ID), Duration.ofSeconds(1)).toLong(), id -> id != silent);
        assertNotEquals(silent, replacement);
        assertEquals(replacement, on(loop, () -> pipelined.send(CLIENT_ID)).toLong(),
                "later commands use the new connection");

        // what still waited on the old connection is answered once it answers again (the partition heals)
        Redis operator = Redis.createClient(vertx, TestFleet.get().layout().fleetRedisUri(RedisUsers.ADMIN));
        try {
            operator.send(Request.cmd(Command.RPUSH).arg(NEVER_FED).arg("healed")).toCompletionStage()
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            operator.close();
        }
        assertEquals("healed", popped.get(10, TimeUnit.SECONDS).get(1).toString());
    }

    /** {@code command}'s result, made on {@code loop}'s event loop thread. */
    private static <T> T on(Context loop, Supplier<Future<T>> command) throws Exception {
        return on(loop, command, Duration.ofSeconds(10));
    }

    /** {@code command}'s result, made on {@code loop}'s event loop thread, if it came within {@code wait}. */
    private static <T> T on(Context loop, Supplier<Future<T>> command, Duration wait) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.runOnContext(ignored -> command.get().onComplete(done -> {
            if (done.succeeded()) {
                result.complete(done.result());
            } else {
                result.completeExceptionally(done.cause());
            }
        }));
        return result.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
