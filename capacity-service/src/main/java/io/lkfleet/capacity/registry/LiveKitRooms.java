package io.lkfleet.capacity.registry;

import io.livekit.server.EgressServiceClient;
import io.livekit.server.RoomServiceClient;
import io.lkfleet.common.fleet.FleetConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import livekit.LivekitEgress;
import livekit.LivekitModels;
import org.jboss.logging.Logger;
import retrofit2.Call;
import retrofit2.Response;

/**
 * A region's rooms as its LiveKit holds them now, through the server API (RoomService ListRooms,
 * then ListParticipants per room, which LiveKit answers from the room's node; EgressService
 * ListEgress for running egress). The present state a rebuild starts from, however old the rooms.
 */
@ApplicationScoped
public class LiveKitRooms {
    /** One room now: its participants with their published tracks, and its running egress. */
    public record RoomNow(LivekitModels.Room room, List<LivekitModels.ParticipantInfo> participants,
            List<LivekitEgress.EgressInfo> egress) {
    }

    private static final Logger LOG = Logger.getLogger(LiveKitRooms.class);
    /** ListParticipants calls in flight at once: the rebuild's time is bounded by rooms / this. */
    private static final int PARALLEL_READS = 8;

    private final Map<String, RoomServiceClient> rooms = new HashMap<>();
    private final Map<String, EgressServiceClient> egress = new HashMap<>();
    private final ExecutorService reads = Executors.newFixedThreadPool(PARALLEL_READS, r -> {
        Thread thread = new Thread(r, "livekit-room-read");
        thread.setDaemon(true);
        return thread;
    });

    public LiveKitRooms(FleetConfig fleet) {
        fleet.regions().forEach((name, region) -> {
            String api = region.livekitUrl().replaceFirst("^ws", "http");
            rooms.put(name, RoomServiceClient.createClient(api, region.apiKey(), region.apiSecret()));
            egress.put(name, EgressServiceClient.createClient(api, region.apiKey(), region.apiSecret()));
        });
    }

    /**
     * Every room of {@code region} with its participants and running egress.
     *
     * @throws IllegalStateException when LiveKit did not answer a read (a partial picture is no picture)
     */
    public List<RoomNow> rooms(String region) {
        Map<String, List<LivekitEgress.EgressInfo>> running = runningEgress(region);
        List<Future<RoomNow>> reading = new ArrayList<>();
        for (LivekitModels.Room room : call(rooms.get(region).listRooms(), "ListRooms of " + region)) {
            reading.add(reads.submit(() -> new RoomNow(room, call(rooms.get(region).listParticipants(room.getName()),
                    "ListParticipants of " + room.getName()), running.getOrDefault(room.getName(), List.of()))));
        }
        List<RoomNow> now = new ArrayList<>(reading.size());
        try {
            for (Future<RoomNow> room : reading) {
                now.add(room.get());
            }
        } catch (ExecutionException e) {
            reading.forEach(f -> f.cancel(true));
            throw new IllegalStateException("cannot read region " + region + "'s rooms from LiveKit: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading region " + region + "'s rooms", e);
        }
        return now;
    }

    /**
     * Running egress by room. A region without an egress service may refuse the call: then it has no
     * egress to count, which only the ops guard about egress without publishers reads.
     */
    private Map<String, List<LivekitEgress.EgressInfo>> runningEgress(String region) {
        Map<String, List<LivekitEgress.EgressInfo>> byRoom = new HashMap<>();
        try {
            for (LivekitEgress.EgressInfo info : call(egress.get(region).listEgress(null, null, true), "ListEgress")) {
                byRoom.computeIfAbsent(info.getRoomName(), r -> new ArrayList<>()).add(info);
            }
        } catch (IllegalStateException e) {
            LOG.warnf("region %s's running egress unknown, counted as none: %s", region, e.getMessage());
        }
        return byRoom;
    }

    private static <T> T call(Call<T> call, String what) {
        try {
            Response<T> response = call.execute();
            if (!response.isSuccessful() || response.body() == null) {
                throw new IllegalStateException(what + " answered HTTP " + response.code());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        reads.shutdownNow();
    }
}
