package io.lkfleet.routing.route;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

/**
 * Lets at most {@code limit} joins of this process be routed at once; the others wait their turn in
 * arrival order. Every Redis call of a route is bounded by {@code quarkus.redis.timeout}, and that
 * bound must measure Redis, not this process: with a burst of hundreds of joins all routed at once,
 * their calls queued for the Redis client's connections and their replies for the event loops that
 * parse and sign every other join, so calls Redis had long answered ran out their bound and the joins
 * were answered {@code state-unavailable} (issue 15.4). A join waiting here has started no call yet,
 * so its wait counts against no bound; once through, its few calls have the connections and the
 * event loops nearly to themselves.
 */
final class RouteGate {
    private final int limit;
    private final Queue<Turn> waiting = new ArrayDeque<>();
    private int running;

    RouteGate(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("routing.max-concurrent-routes must be at least 1, is " + limit);
        }
        this.limit = limit;
    }

    /** {@code route}, started once fewer than {@code limit} routes run; its turn ends when it ends, or is cancelled. */
    <T> Uni<T> through(Supplier<Uni<T>> route) {
        return Uni.createFrom().deferred(() -> {
            Turn turn = new Turn(Vertx.currentContext());
            return Uni.createFrom().<Void>emitter(turn::await).chain(route::get).onTermination().invoke(turn::end);
        });
    }

    /** Routes running now (for tests). */
    synchronized int running() {
        return running;
    }

    private void leave() {
        Turn next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
                return;
            }
            next.entered = true; // the leaving route's slot passes on: running stays the same
        }
        next.start();
    }

    /** One route's place: waiting, running, or done. */
    private final class Turn {
        private final Context context;
        private UniEmitter<? super Void> emitter;
        /** Holds a slot (guarded by the gate). */
        private boolean entered;

        Turn(Context context) {
            this.context = context;
        }

        void await(UniEmitter<? super Void> emitter) {
            this.emitter = emitter;
            synchronized (RouteGate.this) {
                if (running == limit) {
                    waiting.add(this);
                    return;
                }
                running++;
                entered = true;
            }
            emitter.complete(null);
        }

        /** Runs the route on the event loop its request came in on, as it would have run without waiting. */
        void start() {
            if (context == null) {
                emitter.complete(null);
            } else {
                context.runOnContext(ignored -> emitter.complete(null));
            }
        }

        void end() {
            synchronized (RouteGate.this) {
                if (!entered) {
                    waiting.remove(this); // given up while waiting: it holds no slot
                    return;
                }
            }
            leave();
        }
    }
}
