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
 * The bound on every call routing makes to lkfleet's Redis ({@code quarkus.redis.timeout}): past it,
 * the call fails with {@link RedisTimeoutException} and the failure policy decides. It is timed on the
 * event loop the call was made from, where the Redis client also delivers the reply: a reply that came
 * in time is handled before the bound, however long that event loop was busy with other requests.
 * Timed on a thread of its own (Mutiny's {@code ifNoItem().after()}), a burst of joins parsing and
 * signing on the event loops let the bound expire on replies that had long arrived (issue 15.4).
 */
@ApplicationScoped
public class RedisBound {
    /** lkfleet's Redis did not answer a call within the bound. */
    public static final class RedisTimeoutException extends RuntimeException {
        RedisTimeoutException(String call, Duration bound) {
            super("lkfleet's Redis did not answer " + call + " within " + bound.toMillis() + " ms", null, false, false);
        }
    }

    private final Duration bound;

    public RedisBound(@ConfigProperty(name = "quarkus.redis.timeout") Duration bound) {
        this.bound = bound;
    }

    /** {@code call} (named {@code what} in its failure), failed when it has not answered within the bound. */
    public <T> Uni<T> on(String what, Uni<T> call) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean settled = new AtomicBoolean();
            AtomicReference<Cancellable> running = new AtomicReference<>();
            Runnable expire = () -> {
                if (settled.compareAndSet(false, true)) {
                    cancel(running);
                    emitter.fail(new RedisTimeoutException(what, bound));
                }
            };
            Context context = Vertx.currentContext();
            long millis = Math.max(1, bound.toMillis());
            Runnable stopTimer;
            if (context != null && context.isEventLoopContext()) {
                long timer = context.owner().setTimer(millis, id -> expire.run());
                stopTimer = () -> context.owner().cancelTimer(timer);
            } else { // not called from an event loop: nothing to be ordered behind
                ScheduledFuture<?> timer = Infrastructure.getDefaultWorkerPool().schedule(expire, millis,
                        TimeUnit.MILLISECONDS);
                stopTimer = () -> timer.cancel(false);
            }
            emitter.onTermination(() -> {
                stopTimer.run();
                if (settled.compareAndSet(false, true)) { // cancelled downstream
                    cancel(running);
                }
            });
            running.set(call.subscribe().with(item -> {
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

    private static void cancel(AtomicReference<Cancellable> running) {
        Cancellable call = running.get();
        if (call != null) {
            call.cancel();
        }
    }
}
