package io.lkfleet.capacity.service;

import io.livekit.server.EgressServiceClient;
import io.livekit.server.RoomServiceClient;
import io.lkfleet.capacity.GuardReport;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.fleet.FleetConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import livekit.LivekitModels;
import org.jboss.logging.Logger;
import retrofit2.Call;

/**
 * Acts on the guards' findings when {@code capacity.reaper.enabled}: deletes idle rooms nobody
 * closed (empty for the grace with no join reserved, see {@link IdleRoom}, and confirmed empty by
 * LiveKit itself just before) and, once egress has run without a publisher for {@code capacity.reaper.egress-grace},
 * stops it — through the region's LiveKit server API. In dry-run mode (the default once enabled)
 * it only logs and counts. Every action is counted in {@code lkfleet.capacity.reaper.actions}.
 */
@ApplicationScoped
public class Reaper {
    public static final String DELETE_ROOM = "delete-room";
    public static final String STOP_EGRESS = "stop-egress";
    private static final Logger LOG = Logger.getLogger(Reaper.class);

    private final CapacityConfig config;
    private final LoadStore store;
    private final MeterRegistry meters;
    private final Map<String, RoomServiceClient> rooms = new HashMap<>();
    private final Map<String, EgressServiceClient> egress = new HashMap<>();
    /** When each room was first seen recording without a publisher (region/room → epoch s). */
    private final Map<String, Long> orphanSince = new ConcurrentHashMap<>();

    public Reaper(CapacityConfig config, FleetConfig fleet, LoadStore store, MeterRegistry meters) {
        this.config = config;
        this.store = store;
        this.meters = meters;
        fleet.regions().forEach((name, region) -> {
            String api = region.livekitUrl().replaceFirst("^ws", "http");
            rooms.put(name, RoomServiceClient.createClient(api, region.apiKey(), region.apiSecret()));
            egress.put(name, EgressServiceClient.createClient(api, region.apiKey(), region.apiSecret()));
        });
    }

    public void act(GuardReport report, long nowEpochSeconds) {
        if (!config.reaper().enabled()) {
            return;
        }
        String region = report.region();
        // only rooms LiveKit still places somewhere: a room it forgot is a model leftover, not a LiveKit room
        report.idleRooms().stream().filter(room -> !store.room(region, room).getOrDefault("node", "").isEmpty())
                .filter(room -> confirmedEmpty(region, room))
                .forEach(room -> perform(region, DELETE_ROOM, room, rooms.get(region).deleteRoom(room)));
        orphanSince.keySet().removeIf(key -> key.startsWith(region + "/")
                && !report.egressWithoutPublishers().contains(key.substring(region.length() + 1)));
        for (String room : report.egressWithoutPublishers()) {
            long since = orphanSince.computeIfAbsent(region + "/" + room, k -> nowEpochSeconds);
            if (nowEpochSeconds - since >= config.reaper().egressGrace().toSeconds()) {
                store.activeEgress(region, room).forEach(id -> perform(region, STOP_EGRESS, room + " egress " + id,
                        egress.get(region).stopEgress(id)));
            }
        }
    }

    /**
     * LiveKit's own word that the room is empty: the model lags the webhooks, and a participant may
     * have just joined. The room must still be the session the model knows (same sid: a new session
     * under the same name is not idle) and ListParticipants must answer none; any doubt spares it.
     */
    private boolean confirmedEmpty(String region, String room) {
        String sid = store.room(region, room).getOrDefault("sid", "");
        RoomServiceClient livekit = rooms.get(region);
        boolean empty;
        try {
            List<LivekitModels.Room> listed = livekit.listRooms(List.of(room)).execute().body();
            boolean sameSession = listed != null && listed.stream()
                    .anyMatch(r -> r.getName().equals(room) && r.getSid().equals(sid));
            List<LivekitModels.ParticipantInfo> participants = sameSession
                    ? livekit.listParticipants(room).execute().body() : null;
            empty = participants != null && participants.isEmpty();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("reaper could not ask LiveKit about %s in %s, so keeps it: %s", room, region, e.getMessage());
            empty = false;
        }
        if (!empty) {
            meters.counter("lkfleet.capacity.reaper.actions", "region", region, "action", DELETE_ROOM, "outcome",
                    "not-confirmed").increment();
        }
        return empty;
    }

    private void perform(String region, String action, String target, Call<?> call) {
        boolean dryRun = config.reaper().dryRun();
        String outcome;
        if (dryRun) {
            LOG.infof("reaper (dry run) would %s: %s in %s", action, target, region);
            outcome = "dry-run";
        } else {
            try {
                var response = call.execute();
                outcome = response.isSuccessful() ? "done" : "refused";
                LOG.infof("reaper %s %s in %s: HTTP %d", action, target, region, response.code());
            } catch (IOException | RuntimeException e) {
                outcome = "failed";
                LOG.warnf("reaper could not %s %s in %s: %s", action, target, region, e.getMessage());
            }
        }
        meters.counter("lkfleet.capacity.reaper.actions", "region", region, "action", action, "outcome", outcome)
                .increment();
    }
}
