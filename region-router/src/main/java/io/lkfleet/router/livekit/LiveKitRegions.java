package io.lkfleet.router.livekit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.router.config.RouterConfig;
import io.livekit.server.RoomServiceClient;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.redis.client.RedisOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import livekit.LivekitInternal;
import livekit.LivekitModels;
import org.jboss.logging.Logger;
import retrofit2.Call;

/**
 * The router's view of each region's LiveKit: the node registry (hash {@code nodes} in the
 * region's own Redis, read every {@code router.registry-poll-interval}), where LiveKit keeps a room
 * ({@code room_node_map}) and the RoomService API that pins a new room to a node. LiveKit's keys
 * are read, never written.
 */
@ApplicationScoped
public class LiveKitRegions {
    private static final Logger LOG = Logger.getLogger(LiveKitRegions.class);
    static final String NODES_KEY = "nodes";
    static final String ROOM_NODE_MAP_KEY = "room_node_map";

    private final RouterConfig config;
    private final Map<String, Redis> registries = new ConcurrentHashMap<>();
    private final Map<String, RoomServiceClient> roomServices = new ConcurrentHashMap<>();
    private final Map<String, List<NodeStatus>> nodes = new ConcurrentHashMap<>();

    public LiveKitRegions(FleetConfig fleet, RouterConfig config, Vertx vertx) {
        this.config = config;
        fleet.regions().forEach((name, region) -> {
            registries.put(name, Redis.createClient(vertx, new RedisOptions().setConnectionString(region.redis())
                    .setMaxPoolWaiting(64)));
            roomServices.put(name, RoomServiceClient.create(httpUrl(region.livekitUrl()), region.apiKey(),
                    region.apiSecret(), false, http -> http.callTimeout(config.livekitApiTimeout())));
        });
    }

    /** Nodes of {@code region} as last read (empty until the first poll answered). */
    public List<NodeStatus> nodes(String region) {
        return nodes.getOrDefault(region, List.of());
    }

    public Optional<NodeStatus> node(String region, String nodeId) {
        return nodes(region).stream().filter(n -> n.id().equals(nodeId)).findFirst();
    }

    /** Regions with at least one node that takes new rooms. */
    public boolean healthy(String region) {
        long now = System.currentTimeMillis() / 1000;
        return nodes(region).stream().anyMatch(n -> n.available(now, config.nodeStaleAfter().toSeconds()));
    }

    @Scheduled(every = "${router.registry-poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        registries.keySet().forEach(this::refresh);
    }

    /** Reads one region's registry now. */
    public void refresh(String region) {
        try {
            Response all = registries.get(region).send(Request.cmd(Command.HGETALL).arg(NODES_KEY))
                    .await().atMost(Duration.ofSeconds(2));
            List<NodeStatus> read = new ArrayList<>();
            if (all != null) {
                for (String id : all.getKeys()) {
                    LivekitInternal.Node node = LivekitInternal.Node.parseFrom(all.get(id).toBytes());
                    LivekitInternal.NodeStats stats = node.getStats();
                    read.add(new NodeStatus(node.getId(), region, node.getState() == LivekitInternal.NodeState.SERVING,
                            stats.getUpdatedAt(), stats.getNumRooms(), stats.getNumClients(), stats.getNumTracksOut()));
                }
            }
            nodes.put(region, List.copyOf(read));
        } catch (InvalidProtocolBufferException e) {
            LOG.errorf("region %s: an entry of LiveKit's node registry is not a livekit.Node", region);
        } catch (RuntimeException e) {
            LOG.warnf("region %s: LiveKit's node registry cannot be read: %s", region, e.getMessage());
            nodes.put(region, List.of());
        }
    }

    /** The node LiveKit keeps {@code room} on in {@code region}, if it has the room. */
    public Optional<String> liveKitNodeOf(String region, String room) {
        Response node = registries.get(region).send(Request.cmd(Command.HGET).arg(ROOM_NODE_MAP_KEY).arg(room))
                .await().atMost(Duration.ofSeconds(2));
        return Optional.ofNullable(node).map(Response::toString);
    }

    /** Creates {@code room} on {@code nodeId} through the region's RoomService, so LiveKit agrees with the router. */
    public LivekitModels.Room createRoom(String region, String room, String nodeId, int maxParticipants) {
        Call<LivekitModels.Room> call = roomServices.get(region).createRoom(room, null, maxParticipants, nodeId);
        try {
            retrofit2.Response<LivekitModels.Room> response = call.execute();
            if (!response.isSuccessful() || response.body() == null) {
                throw new IllegalStateException("CreateRoom answered HTTP " + response.code());
            }
            return response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("CreateRoom failed: " + e.getMessage(), e);
        }
    }

    static String httpUrl(String livekitUrl) {
        return livekitUrl.replaceFirst("^ws", "http");
    }

    @PreDestroy
    void close() {
        registries.values().forEach(Redis::close);
        roomServices.clear();
    }
}
