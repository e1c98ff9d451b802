package io.lkfleet.local;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import livekit.LivekitInternal;

/**
 * Reads one region's LiveKit Redis the way LiveKit writes it: hash {@code nodes} (node id →
 * protobuf {@code livekit.Node}) and hash {@code room_node_map} (room → node id). Never writes.
 */
public final class LiveKitRegistry implements AutoCloseable {
    public static final String NODES_KEY = "nodes";
    public static final String ROOM_NODE_MAP_KEY = "room_node_map";

    private final Redis redis;

    public LiveKitRegistry(Vertx vertx, int redisPort) {
        this.redis = Redis.createClient(vertx, "redis://" + FleetLayout.HOST + ":" + redisPort);
    }

    /** True when the Redis answers PING. */
    public boolean ping() {
        try {
            return "PONG".equals(send(Request.cmd(Command.PING)).toString());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Registered nodes by id, decoded from LiveKit's protobuf. */
    public Map<String, LivekitInternal.Node> nodes() {
        Map<String, LivekitInternal.Node> nodes = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : hash(NODES_KEY).entrySet()) {
            try {
                nodes.put(e.getKey(), LivekitInternal.Node.parseFrom(e.getValue()));
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException("node " + e.getKey() + " in LiveKit's registry is not a livekit.Node", ex);
            }
        }
        return nodes;
    }

    /** Room name → id of the node the room is pinned to. */
    public Map<String, String> roomNodeMap() {
        Map<String, String> rooms = new LinkedHashMap<>();
        hash(ROOM_NODE_MAP_KEY).forEach((room, node) -> rooms.put(room, new String(node)));
        return rooms;
    }

    private Map<String, byte[]> hash(String key) {
        Response keys = send(Request.cmd(Command.HKEYS).arg(key));
        Map<String, byte[]> values = new LinkedHashMap<>();
        if (keys == null || keys.size() == 0) {
            return values;
        }
        List<String> fields = keys.stream().map(Response::toString).toList();
        Request hmget = Request.cmd(Command.HMGET).arg(key);
        fields.forEach(hmget::arg);
        Response got = send(hmget);
        for (int i = 0; i < fields.size(); i++) {
            Response value = got.get(i);
            if (value != null) {
                values.put(fields.get(i), value.toBytes());
            }
        }
        return values;
    }

    private Response send(Request request) {
        try {
            return redis.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("redis " + request.command() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
