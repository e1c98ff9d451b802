package io.lkfleet.common.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lkfleet.common.fleet.FleetConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import livekit.LivekitInternal;

/**
 * Reads one region's LiveKit registry the way LiveKit writes it: hash {@value #NODES} (node id →
 * protobuf {@code livekit.Node}) and hash {@value #ROOM_NODE_MAP} (room → node id). Never writes.
 * Every read is bounded by {@code fleet.registry.read-timeout}. The pollers' reads block the calling
 * thread (never an event loop); {@link #nodeOf}, on the join path, does not. A failed read is a
 * {@link RegistryUnavailableException}; the caller decides what an unreadable registry means for it.
 */
public final class LiveKitRegistry implements AutoCloseable {
    /** LiveKit's node registry (its {@code routing.NodesKey}). */
    public static final String NODES = "nodes";
    /** LiveKit's room placement (its {@code routing.NodeRoomKey}). */
    public static final String ROOM_NODE_MAP = "room_node_map";

    private final String region;
    private final Redis redis;
    private final Duration staleAfter;
    private final Duration readTimeout;

    public LiveKitRegistry(Vertx vertx, String region, String redisUrl, FleetConfig.Registry settings) {
        this.region = region;
        // a waiting queue deep enough for the router's per-join room look-ups under a burst
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolWaiting(64));
        this.staleAfter = settings.nodeStaleAfter();
        this.readTimeout = settings.readTimeout();
    }

    /** One reader per region of the fleet, in the fleet's order. */
    public static Map<String, LiveKitRegistry> ofFleet(Vertx vertx, FleetConfig fleet) {
        Map<String, LiveKitRegistry> registries = new LinkedHashMap<>();
        fleet.regions().forEach((name, region) -> registries.put(name,
                new LiveKitRegistry(vertx, name, region.redis(), fleet.registry())));
        return registries;
    }

    public String region() {
        return region;
    }

    /** True when the Redis answers PING. */
    public boolean ping() {
        try {
            return "PONG".equals(String.valueOf(send(Request.cmd(Command.PING))));
        } catch (RegistryUnavailableException e) {
            return false;
        }
    }

    /** Every registered node, decoded; an entry that is not a {@code livekit.Node} fails the whole read. */
    public List<RegisteredNode> nodes() {
        List<RegisteredNode> nodes = new ArrayList<>();
        hash(NODES).forEach((id, value) -> nodes.add(RegisteredNode.of(region, decode(id, value), staleAfter)));
        return nodes;
    }

    /** Room name → id of the node LiveKit pinned the room to. */
    public Map<String, String> roomNodeMap() {
        Map<String, String> rooms = new LinkedHashMap<>();
        hash(ROOM_NODE_MAP).forEach((room, node) -> rooms.put(room, new String(node)));
        return rooms;
    }

    /** The node LiveKit keeps {@code room} on, if it has the room; without blocking. */
    public CompletionStage<Optional<String>> nodeOf(String room) {
        return read(Request.cmd(Command.HGET).arg(ROOM_NODE_MAP).arg(room))
                .map(node -> Optional.ofNullable(node).map(Response::toString)).toCompletionStage();
    }

    private LivekitInternal.Node decode(String id, byte[] value) {
        try {
            return LivekitInternal.Node.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new RegistryUnavailableException("node " + id + " in LiveKit's registry of region " + region
                    + " is not a livekit.Node", e);
        }
    }

    /** A hash as raw bytes (HKEYS + HMGET: the same answer shape on RESP2 and RESP3). */
    private Map<String, byte[]> hash(String key) {
        Response keys = send(Request.cmd(Command.HKEYS).arg(key));
        Map<String, byte[]> values = new LinkedHashMap<>();
        if (keys == null || keys.size() == 0) {
            return values;
        }
        List<String> fields = new ArrayList<>(keys.size());
        keys.forEach(field -> fields.add(field.toString()));
        Request hmget = Request.cmd(Command.HMGET).arg(key);
        fields.forEach(hmget::arg);
        Response got = send(hmget);
        for (int i = 0; i < fields.size(); i++) {
            Response value = got.get(i);
            if (value != null) { // removed between the two reads
                values.put(fields.get(i), value.toBytes());
            }
        }
        return values;
    }

    private Future<Response> read(Request request) {
        return redis.send(request).timeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS).recover(e -> Future.failedFuture(
                new RegistryUnavailableException(failure(request, e.getMessage()), e)));
    }

    private Response send(Request request) {
        try {
            return read(request).toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(failure(request, "interrupted"), e);
        } catch (ExecutionException e) {
            throw (RegistryUnavailableException) e.getCause();
        }
    }

    private String failure(Request request, String why) {
        return "LiveKit's registry of region " + region + ": " + request.command() + " failed: " + why;
    }

    @Override
    public void close() {
        redis.close();
    }
}
