package io.lkfleet.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisBound} on a real Vert.x event loop: a call that does not answer fails at the bound, a
 * reply that arrived in time is not lost to the bound because the event loop was busy meanwhile, and a
 * call held up while Redis answers others gets more time, up to three bounds.
 */
class RedisBoundTests {
    private static final Duration BOUND = Duration.ofMillis(100);
    private final Vertx vertx = Vertx.vertx();
    private final RedisBound bound = new RedisBound(BOUND);

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aCallWithoutAnswerFailsAtTheBound() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(ignored -> bound.on("GET", Uni.createFrom().<String>emitter(never -> { }))
                .subscribe().with(outcome::complete, outcome::complete));
        Object failure = outcome.get(10, TimeUnit.SECONDS);
        assertInstanceOf(RedisBound.RedisTimeoutException.class, failure);
        assertEquals("lkfleet's Redis did not answer GET within 100 ms", ((Exception) failure).getMessage());
    }

    @Test
    void aReplyThatCameInTimeWinsOverTheBoundWhileItsEventLoopWasBusy() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(ignored -> {
            bound.on("GET", answerAfter(loop, 20, "PONG")).subscribe().with(outcome::complete, outcome::complete);
            busy(Duration.ofMillis(400)); // the event loop parses and signs other joins, past the bound
        });
        assertEquals("PONG", outcome.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCallHeldUpWhileRedisAnswersOthersGetsAnotherBound() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(ignored -> {
            bound.on("GET", answerAfter(loop, 150, "late")).subscribe().with(outcome::complete, outcome::complete);
            bound.on("GET", answerAfter(loop, 60, "other")).subscribe().with(other -> { });
        });
        assertEquals("late", outcome.get(10, TimeUnit.SECONDS), "Redis answered another call within the bound");
    }

    @Test
    void aCallWhoseBoundCameDueWhileThisProcessDidNotRunGetsAnotherBound() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(ignored -> {
            bound.on("GET", answerAfter(loop, 250, "after the stall")).subscribe().with(outcome::complete,
                    outcome::complete);
            busy(Duration.ofMillis(200)); // the bound's timer can only run late, and no other call answers
        });
        assertEquals("after the stall", outcome.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCallWithoutAnswerFailsAfterThreeBoundsEvenWhileRedisAnswersOthers() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        long[] others = new long[1];
        loop.runOnContext(ignored -> {
            others[0] = vertx.setPeriodic(20, id -> bound.on("GET", Uni.createFrom().item("other")).subscribe()
                    .with(other -> { }));
            bound.on("GET", Uni.createFrom().<String>emitter(never -> { })).subscribe().with(outcome::complete,
                    outcome::complete);
        });
        assertInstanceOf(RedisBound.RedisTimeoutException.class, outcome.get(10, TimeUnit.SECONDS));
        vertx.cancelTimer(others[0]);
    }

    /** A call Redis answers {@code millis} from now, handed to {@code loop} as the Redis client does. */
    private static Uni<String> answerAfter(Context loop, long millis, String answer) {
        return Uni.createFrom().emitter(reply -> CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS)
                .execute(() -> loop.runOnContext(v -> reply.complete(answer))));
    }

    @Test
    void aFailureOfTheCallIsPassedOn() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        IllegalStateException refused = new IllegalStateException("NOPERM");
        vertx.getOrCreateContext().runOnContext(ignored -> bound.on("GET", Uni.createFrom().<String>failure(refused))
                .subscribe().with(outcome::complete, outcome::complete));
        assertEquals(refused, outcome.get(10, TimeUnit.SECONDS));
    }

    /** Work, not waiting: the event loop stays occupied as with a queue of requests. */
    private static void busy(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        long spins = 0;
        while (System.nanoTime() < until) {
            spins++;
        }
        assertEquals(true, spins > 0);
    }
}
