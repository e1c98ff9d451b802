package io.lkfleet.routing.livekit;

import io.livekit.server.RoomServiceClient;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.common.registry.LiveKitRegistry;
import io.lkfleet.common.registry.RegisteredNode;
import io.lkfleet.routing.config.RoutingConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitModels;
import org.jboss.logging.Logger;
import retrofit2.Call;

/**
 * The router's view of each region's LiveKit: the node registry (read through common's
 * {@link LiveKitRegistry} every {@code routing.registry-poll-interval}), where LiveKit keeps a room
 * ({@code room_node_map}) and the RoomService API that pins a new room to a node. LiveKit's keys
 * are read, never written.
 */
@ApplicationScoped
public class LiveKitRegions {
    private static final Logger LOG = Logger.getLogger(LiveKitRegions.class);
    /** Not a valid room name (token-service takes [A-Za-z0-9._:-] only): no tenant's room is ever asked for. */
    private static final String API_CHECK_ROOM = "lkfleet api check";

    private final Map<String, LiveKitRegistry> registries;
    /** The joins' room look-ups use clients of their own: a burst of them must not delay the registry poll. */
    private final Map<String, LiveKitRegistry> roomLookups;
    private final Map<String, RoomServiceClient> roomServices = new ConcurrentHashMap<>();
    private final Map<String, List<RegisteredNode>> nodes = new ConcurrentHashMap<>();
    /** CreateRoom as routing waits for it, per region: a new room's join pays it (issue 15.2 compares the two). */
    private final Map<String, Timer> createRoomTimes = new ConcurrentHashMap<>();
    /** Whether each region's RoomService answered its last check (1) or not (0). */
    private final Map<String, AtomicInteger> apiUp = new ConcurrentHashMap<>();

    public LiveKitRegions(FleetConfig fleet, RoutingConfig config, Vertx vertx, MeterRegistry meters) {
        registries = LiveKitRegistry.ofFleet(vertx.getDelegate(), fleet);
        roomLookups = LiveKitRegistry.ofFleet(vertx.getDelegate(), fleet);
        fleet.regions().forEach((name, region) -> {
            roomServices.put(name, RoomServiceClient.create(httpUrl(region.livekitUrl()), region.apiKey(),
                    region.apiSecret(), false, http -> http.callTimeout(config.livekitApiTimeout())));
            createRoomTimes.put(name, Timer.builder("lkfleet.router.livekit.create.room")
                    .description("LiveKit's CreateRoom of a new room, as routing waited for it (failures included)")
                    .tag("region", name).publishPercentileHistogram().register(meters));
            apiUp.put(name, meters.gauge("lkfleet.router.livekit.api.up", Tags.of("region", name), new AtomicInteger()));
        });
    }

    /**
     * Asks each region's RoomService, at start and every {@code routing.livekit-api-check-interval}, for a
     * room no tenant can name ({@code lkfleet_router_livekit_api_up}, a log line when it fails): a wrong
     * API secret or an unreachable API shows before a new room's join is refused livekit-unavailable. It
     * also keeps the client's connection open and its code loaded, so the first new room after a quiet
     * spell (or after start) does not pay a connection and class loading (issue 15.2: the first new rooms
     * after start took 154-179 ms against 63-103 ms later).
     */
    @Scheduled(every = "${routing.livekit-api-check-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkApi() {
        roomServices.forEach((region, service) -> {
            boolean up;
            try {
                up = service.listRooms(List.of(API_CHECK_ROOM)).execute().isSuccessful();
            } catch (java.io.IOException | RuntimeException e) {
                up = false;
            }
            if (apiUp.get(region).getAndSet(up ? 1 : 0) != (up ? 1 : 0) || !up) {
                LOG.logf(up ? Logger.Level.INFO : Logger.Level.WARN, "region %s: LiveKit's RoomService %s", region,
                        up ? "answers" : "does not answer (a new room's join will be refused livekit-unavailable)");
            }
        });
    }

    /** Nodes of {@code region} as last read (empty until the first poll answered). */
    public List<RegisteredNode> nodes(String region) {
        return nodes.getOrDefault(region, List.of());
    }

    public Optional<RegisteredNode> node(String region, String nodeId) {
        return nodes(region).stream().filter(n -> n.id().equals(nodeId)).findFirst();
    }

    @Scheduled(every = "${routing.registry-poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        registries.keySet().forEach(this::refresh);
    }

    /**
     * Reads one region's registry now. Each node is kept as judged at this read
     * ({@link RegisteredNode#asReadAt}: LiveKit's rule at the moment of the read, so a node alive then is
     * not judged gone because the next read is late, a busy process or a burst of joins delaying it). A
     * read that fails keeps the nodes last read, so a registry that stays unreadable still fails closed,
     * two staleness windows after a node's last update, while one read lost under a burst does not make
     * every live node look dead and every join of a pinned room fail with pinned-node-gone.
     */
    public void refresh(String region) {
        try {
            long readAtSeconds = System.currentTimeMillis() / 1000;
            nodes.put(region, registries.get(region).nodes().stream().map(n -> n.asReadAt(readAtSeconds)).toList());
        } catch (RuntimeException e) {
            LOG.warnf("region %s: LiveKit's node registry cannot be read (keeping the nodes last read, judged by"
                    + " their updated_at): %s", region, e.getMessage());
        }
    }

    /** The node LiveKit keeps {@code room} on in {@code region}, null when it does not have the room. */
    public Uni<String> roomNode(String region, String room) {
        return Uni.createFrom().completionStage(() -> roomLookups.get(region).nodeOf(room)).map(node -> node.orElse(null));
    }

    /** Creates {@code room} on {@code nodeId} through the region's RoomService, so LiveKit agrees with the router. */
    public LivekitModels.Room createRoom(String region, String room, String nodeId, int maxParticipants) {
        Call<LivekitModels.Room> call = roomServices.get(region).createRoom(room, null, maxParticipants, nodeId);
        long started = System.nanoTime();
        try {
            retrofit2.Response<LivekitModels.Room> response = call.execute();
            if (!response.isSuccessful() || response.body() == null) {
                throw new IllegalStateException("CreateRoom answered HTTP " + response.code());
            }
            return response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("CreateRoom failed: " + e.getMessage(), e);
        } finally {
            createRoomTimes.get(region).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    static String httpUrl(String livekitUrl) {
        return livekitUrl.replaceFirst("^ws", "http");
    }

    @PreDestroy
    void close() {
        registries.values().forEach(LiveKitRegistry::close);
        roomLookups.values().forEach(LiveKitRegistry::close);
        roomServices.clear();
    }
}
