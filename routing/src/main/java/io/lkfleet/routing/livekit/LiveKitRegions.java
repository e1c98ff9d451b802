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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitModels;
import okhttp3.Request;
import org.jboss.logging.Logger;

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
    /** Builds each RoomService request (URL, Authorization, protobuf body); {@link #api} sends it. */
    private final Map<String, RoomServiceClient> roomServices = new ConcurrentHashMap<>();
    /**
     * Sends RoomService requests without blocking a thread: the answer comes back on the event loop that
     * asked. LiveKit's own client (OkHttp) blocks a thread per call, and a new room's join paid a hop to a
     * worker thread and one back (issue 15.2: ~3 ms each on two busy cores).
     */
    private final HttpClient api;
    private final long apiTimeoutMillis;
    private final Map<String, List<RegisteredNode>> nodes = new ConcurrentHashMap<>();
    /** CreateRoom as routing waits for it, per region: a new room's join pays it (issue 15.2 compares the two). */
    private final Map<String, Timer> createRoomTimes = new ConcurrentHashMap<>();
    /** Whether each region's RoomService answered its last check (1) or not (0). */
    private final Map<String, AtomicInteger> apiUp = new ConcurrentHashMap<>();

    public LiveKitRegions(FleetConfig fleet, RoutingConfig config, Vertx vertx, MeterRegistry meters) {
        registries = LiveKitRegistry.ofFleet(vertx.getDelegate(), fleet);
        roomLookups = LiveKitRegistry.ofFleet(vertx.getDelegate(), fleet);
        apiTimeoutMillis = config.livekitApiTimeout().toMillis();
        // a connection per join the gate lets through at most; kept open between calls (and by the API check)
        api = vertx.getDelegate().createHttpClient(new HttpClientOptions().setMaxPoolSize(config.maxConcurrentRoutes())
                .setConnectTimeout((int) apiTimeoutMillis));
        fleet.regions().forEach((name, region) -> {
            roomServices.put(name, RoomServiceClient.create(httpUrl(region.livekitUrl()), region.apiKey(),
                    region.apiSecret()));
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
     * after start took 154-179 ms against 63-103 ms later). Runs on a worker thread: the SDK builds each
     * kind of request by reflection the first time (seconds on a cold, busy JVM), so it builds a CreateRoom
     * request here too, once, and a new room's join on the event loop finds that done.
     */
    @Scheduled(every = "${routing.livekit-api-check-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkApi() {
        roomServices.forEach((region, service) -> {
            service.createRoom(API_CHECK_ROOM, null, null, null).request(); // built, never sent
            boolean up = call(service.listRooms(List.of(API_CHECK_ROOM)).request()).map(answer -> true)
                    .onFailure().recoverWithItem(false).await().indefinitely(); // bounded by the call's timeout
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

    /**
     * Creates {@code room} on {@code nodeId} through the region's RoomService, so LiveKit agrees with the
     * router; without blocking (the request is the SDK's, sent by {@link #api}), bounded by
     * {@code routing.livekit-api-timeout}.
     */
    public Uni<LivekitModels.Room> createRoom(String region, String room, String nodeId, int maxParticipants) {
        Request create = roomServices.get(region).createRoom(room, null, maxParticipants, nodeId).request();
        Timer time = createRoomTimes.get(region);
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return call(create).map(LiveKitRegions::room)
                    .onTermination().invoke(() -> time.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        });
    }

    private static LivekitModels.Room room(Buffer body) {
        try {
            return LivekitModels.Room.parseFrom(body.getBytes());
        } catch (IOException e) {
            throw new IllegalStateException("CreateRoom answered what is not a room: " + e.getMessage(), e);
        }
    }

    /** One RoomService request, as the SDK built it; the answer's body, or a failure unless HTTP 200. */
    private Uni<Buffer> call(Request request) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(request.method()))
                .setAbsoluteURI(request.url().toString()).setTimeout(apiTimeoutMillis);
        request.headers().forEach(header -> options.putHeader(header.getFirst(), header.getSecond()));
        Buffer body;
        try (okio.Buffer bytes = new okio.Buffer()) {
            if (request.body() != null) {
                request.body().writeTo(bytes);
                if (request.body().contentType() != null) {
                    options.putHeader("Content-Type", request.body().contentType().toString());
                }
            }
            body = Buffer.buffer(bytes.readByteArray());
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        String what = request.url().encodedPath();
        return Uni.createFrom().completionStage(() -> api.request(options)
                .compose(sent -> sent.send(body))
                .compose(answer -> answer.statusCode() == 200 ? answer.body()
                        : answer.body().transform(ignored -> failed(what, answer)))
                .toCompletionStage());
    }

    private static io.vertx.core.Future<Buffer> failed(String what, HttpClientResponse answer) {
        return io.vertx.core.Future.failedFuture(new IllegalStateException(what + " answered HTTP " + answer.statusCode()));
    }

    static String httpUrl(String livekitUrl) {
        return livekitUrl.replaceFirst("^ws", "http");
    }

    @PreDestroy
    void close() {
        registries.values().forEach(LiveKitRegistry::close);
        roomLookups.values().forEach(LiveKitRegistry::close);
        roomServices.clear();
        api.close();
    }
}
