package io.lkfleet.routing;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends the commands made on each event loop over one long-lived connection to lkfleet's Redis, so the
 * commands of the joins a loop serves at once follow each other without waiting for each other's
 * answers (pipelining): Redis reads several with one read and wakes once for them, and their answers
 * come back together. Through the client's pool every command took a connection of its own for its
 * round trip (acquired, and given back when answered), so a token phase of 50 clients kept ~50
 * connections busy with one command each (issue 15). Commands of one connection run in order, as
 * they would on Redis anyway (one thread); a slow one holds up no more than it did.
 * <p>
 * The connection of a loop is opened on that loop's own context (not a request's), is used only from
 * that loop, and is given up when it fails or ends, or when it has left commands unanswered for as long
 * as a bounded call may wait ({@link RedisBound#MAX_BOUNDS} bounds): a connection a silent network
 * partition cut answers nothing and fails nothing until TCP gives up, minutes later, and every join of
 * its loop would run out its bound behind it. The next command opens another. A connection given up goes
 * back to the client's pool only once nothing waits on it (answered, or failed when TCP gives up), so no
 * other user of the pool queues behind it. Redis's
 * own error answers (e.g. {@code NOSCRIPT}) leave it in use. Off an event loop (a worker thread, a test)
 * a command goes through the pool as before.
 */
@ApplicationScoped
public class PipelinedRedis {
    private final Redis redis;
    /** How long a connection may leave its commands unanswered before it is given up. */
    private final long stuckNanos;
    private final Map<Thread, Loop> loops = new ConcurrentHashMap<>();

    public PipelinedRedis(Redis redis, @ConfigProperty(name = "quarkus.redis.timeout") Duration bound) {
        this.redis = redis;
        this.stuckNanos = bound.toNanos() * RedisBound.MAX_BOUNDS;
    }

    /** {@code command}'s answer; on an event loop, sent on that loop's connection. */
    public Future<Response> send(Request command) {
        Context context = Vertx.currentContext();
        if (context == null || !Context.isOnEventLoopThread()) {
            return redis.send(command);
        }
        return loops.computeIfAbsent(Thread.currentThread(), thread -> new Loop(VertxContext.getRootContext(context)))
                .send(command);
    }

    /** One event loop's connection: touched only on that loop's thread (its answers come back there too). */
    private final class Loop {
        private final Context root;
        /** The connection in use or being opened; null when there is none. */
        private Line line;

        Loop(Context root) {
            this.root = root;
        }

        Future<Response> send(Request command) {
            long now = System.nanoTime();
            if (line != null && line.stuck(now)) {
                giveUp(line);
            }
            if (line == null) {
                line = new Line();
            }
            Line using = line;
            return using.send(command, now).onFailure(failure -> {
                if (!(failure instanceof ErrorType)) {
                    giveUp(using);
                }
            });
        }

        /** Stops using {@code failed} (if it is still the one in use). */
        private void giveUp(Line failed) {
            if (line == failed) {
                line = null;
            }
            failed.retire();
        }

        /** One connection and whether it still answers. */
        private final class Line {
            private final Future<RedisConnection> connection = open();
            private int unanswered;
            /** When it last answered, or was sent a command while it had none unanswered ({@link System#nanoTime()}). */
            private long quietSince;
            private boolean retired;
            private boolean givenBack;

            Future<Response> send(Request command, long now) {
                if (unanswered++ == 0) {
                    quietSince = now;
                }
                return connection.compose(open -> open.send(command)).onComplete(done -> {
                    unanswered--;
                    quietSince = System.nanoTime();
                    if (retired && unanswered == 0) {
                        giveBack();
                    }
                });
            }

            /** It has left commands unanswered for as long as a bounded call may wait. */
            boolean stuck(long now) {
                return unanswered > 0 && now - quietSince > stuckNanos;
            }

            /** Gives it back to the client's pool once nothing waits on it any more. */
            void retire() {
                retired = true;
                if (unanswered == 0) {
                    giveBack();
                }
            }

            private void giveBack() {
                if (!givenBack) {
                    givenBack = true;
                    connection.onSuccess(RedisConnection::close);
                }
            }

            private Future<RedisConnection> open() {
                Promise<RedisConnection> opened = Promise.promise();
                root.runOnContext(ignored -> redis.connect().onComplete(opened));
                return opened.future().onSuccess(open -> open.exceptionHandler(e -> giveUp(this))
                        .endHandler(e -> giveUp(this)));
            }
        }
    }
}
