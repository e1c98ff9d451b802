package io.lkfleet.routing;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The bound on every call routing makes to lkfleet's Redis ({@code quarkus.redis.timeout}): a call
 * fails with {@link RedisTimeoutException}, and the failure policy decides, when Redis has answered
 * no call of this process for that long (while this process ran), or when the call itself has waited
 * three bounds. It measures Redis, not this process (issue 15.4): it is timed on the event loop the
 * call was made from, where the Redis client also hands over the reply, so a reply that came in time
 * is handled first however busy that event loop was; and a burst that keeps every event loop busy
 * parsing and signing its other joins (and opening new connections) delays one call past the bound
 * while Redis answers the others, so a call whose bound passes while Redis answers other calls is
 * given one more bound, up to three, as is a call whose bound came due while this process did not run
 * (a stall: GC, a starved CPU; the timer fires late). A Redis that answers nothing still fails each
 * call after one bound.
 * Timed on a thread of its own (Mutiny's {@code ifNoItem().after()}) and without regard to the
 * other answers, the bound expired on replies that had long arrived.
 */
@ApplicationScoped
public class RedisBound {
    /** lkfleet's Redis did not answer a call within the bound. */
    public static final class RedisTimeoutException extends RuntimeException {
        RedisTimeoutException(String call, Duration bound) {
            super("lkfleet's Redis did not answer " + call + " within " + bound.toMillis() + " ms", null, false, false);
        }
    }

    /** How many bounds a call may take in all while Redis answers other calls. */
    static final int MAX_BOUNDS = 3;

    private final Duration bound;
    /** When Redis last answered a call of this process ({@link System#nanoTime()}; an error is not an answer). */
    private volatile long lastAnswerNanos = System.nanoTime();

    public RedisBound(@ConfigProperty(name = "quarkus.redis.timeout") Duration bound) {
        this.bound = bound;
    }

    /** {@code call} (named {@code what} in its failure), failed when it has not answered within the bound. */
    public <T> Uni<T> on(String what, Uni<T> call) {
        return Uni.createFrom().emitter(emitter -> {
            long madeNanos = System.nanoTime();
            AtomicBoolean settled = new AtomicBoolean();
            AtomicReference<Cancellable> running = new AtomicReference<>();
            AtomicReference<Runnable> stopTimer = new AtomicReference<>(() -> { });
            Context context = Vertx.currentContext();
            long boundNanos = bound.toNanos();
            long[] dueNanos = {madeNanos + boundNanos};
            Runnable[] expiry = new Runnable[1];
            expiry[0] = () -> {
                long now = System.nanoTime();
                if (settled.get()) {
                    return;
                }
                // held up here, not in Redis: Redis answered other calls within the bound, or this process
                // did not run when the bound was due (a stall: GC, a starved CPU), so its replies wait unread
                boolean heldUpHere = now - lastAnswerNanos < boundNanos || now - dueNanos[0] > boundNanos / 4;
                if (heldUpHere && now - madeNanos < MAX_BOUNDS * boundNanos - boundNanos / 2) {
                    dueNanos[0] = now + boundNanos;
                    stopTimer.set(arm(context, expiry[0]));
                    return;
                }
                if (settled.compareAndSet(false, true)) {
                    cancel(running);
                    emitter.fail(new RedisTimeoutException(what, bound));
                }
            };
            stopTimer.set(arm(context, expiry[0]));
            emitter.onTermination(() -> {
                stopTimer.get().run();
                if (settled.compareAndSet(false, true)) { // cancelled downstream
                    cancel(running);
                }
            });
            running.set(call.subscribe().with(item -> {
                lastAnswerNanos = System.nanoTime();
                if (settled.compareAndSet(false, true)) {
                    emitter.complete(item);
                }
            }, failure -> {
                if (settled.compareAndSet(false, true)) {
                    emitter.fail(failure);
                }
            }));
            if (settled.get()) {
                cancel(running); // expired or cancelled before the call was even subscribed
            }
        });
    }

    /** Runs {@code expiry} one bound from now, on {@code context}'s event loop when there is one; returns its cancel. */
    private Runnable arm(Context context, Runnable expiry) {
        long millis = Math.max(1, bound.toMillis());
        if (context != null && context.isEventLoopContext()) {
            long timer = context.owner().setTimer(millis, id -> expiry.run());
            return () -> context.owner().cancelTimer(timer);
        }
        // not called from an event loop: nothing to be ordered behind
        ScheduledFuture<?> timer = Infrastructure.getDefaultWorkerPool().schedule(expiry, millis, TimeUnit.MILLISECONDS);
        return () -> timer.cancel(false);
    }

    private static void cancel(AtomicReference<Cancellable> running) {
        Cancellable call = running.get();
        if (call != null) {
            call.cancel();
        }
    }
}
