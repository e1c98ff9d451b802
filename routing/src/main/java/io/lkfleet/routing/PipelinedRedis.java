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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * that loop, and is given up when it fails or ends: the next command opens another. Redis's own error
 * answers (e.g. {@code NOSCRIPT}) leave it in use. Off an event loop (a worker thread, a test) a command
 * goes through the pool as before.
 */
@ApplicationScoped
public class PipelinedRedis {
    private final Redis redis;
    private final Map<Thread, Loop> loops = new ConcurrentHashMap<>();

    public PipelinedRedis(Redis redis) {
        this.redis = redis;
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

    /** One event loop's connection: touched only on that loop's thread. */
    private final class Loop {
        private final Context root;
        /** The connection in use or being opened; null when there is none. */
        private Future<RedisConnection> connection;

        Loop(Context root) {
            this.root = root;
        }

        Future<Response> send(Request command) {
            if (connection == null) {
                connection = open();
            }
            Future<RedisConnection> using = connection;
            return using.compose(open -> open.send(command)).onFailure(failure -> {
                if (!(failure instanceof ErrorType)) {
                    giveUp(using);
                }
            });
        }

        private Future<RedisConnection> open() {
            Promise<RedisConnection> opened = Promise.promise();
            root.runOnContext(ignored -> redis.connect().onComplete(opened));
            Future<RedisConnection> future = opened.future();
            return future.onSuccess(open -> open.exceptionHandler(e -> giveUp(future)).endHandler(e -> giveUp(future)));
        }

        /** Stops using {@code failed} (if it is still the one in use) and gives it back to the pool. */
        private void giveUp(Future<RedisConnection> failed) {
            if (connection == failed) {
                connection = null;
                failed.onSuccess(RedisConnection::close);
            }
        }
    }
}
