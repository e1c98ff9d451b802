package io.lkfleet.capacity.service;

import io.lkfleet.capacity.WebhookChange;
import io.lkfleet.capacity.listener.WebhookParser;
import io.lkfleet.capacity.registry.LiveKitRooms;
import java.util.ArrayList;
import java.util.List;
import livekit.LivekitModels;

/**
 * A room as LiveKit holds it now, written as the webhook events that would have built it: the
 * room's start, a {@code participant_joined} per active participant, a {@code track_published} per
 * track it publishes, an {@code egress_started} per running egress. A rebuild applies them with the
 * same script as live events, so the room is counted exactly the way the event stream counts it
 * (every active participant receives every track of the others, CapacityModel's rule). Event ids
 * are unique to the rebuild ({@code snapshot/<rebuild>/...}), so no real event is taken for one.
 */
public final class SnapshotEvents {
    private SnapshotEvents() {
    }

    public static List<WebhookChange> of(String region, String rebuild, LiveKitRooms.RoomNow now, long nowSeconds) {
        LivekitModels.Room room = now.room();
        String name = room.getName();
        String roomSid = room.getSid();
        // the session starts when LiveKit created the room: later events of the same sid are not "older"
        long created = room.getCreationTime() > 0 ? room.getCreationTime() : nowSeconds;
        String id = "snapshot/" + rebuild + "/" + roomSid + "/";
        List<WebhookChange> events = new ArrayList<>();
        events.add(new WebhookChange(region, id + "room", "room_started", created, name, roomSid, "", "", "", "", "",
                false));
        for (LivekitModels.ParticipantInfo p : now.participants()) {
            // participant_joined fires at ACTIVE; a participant with media is active whatever it reports
            if (p.getState() != LivekitModels.ParticipantInfo.State.ACTIVE && p.getTracksCount() == 0) {
                continue;
            }
            events.add(new WebhookChange(region, id + p.getSid(), "participant_joined", created, name, roomSid,
                    p.getSid(), p.getIdentity(), "", "", "", false));
            for (LivekitModels.TrackInfo t : p.getTracksList()) {
                String kind = WebhookParser.kindOf(t.getType().name(), t.getSource().name());
                if (!kind.isEmpty()) {
                    events.add(new WebhookChange(region, id + t.getSid(), "track_published", created, name, roomSid,
                            p.getSid(), p.getIdentity(), t.getSid(), kind, "", false));
                }
            }
        }
        now.egress().forEach(e -> events.add(new WebhookChange(region, id + e.getEgressId(), "egress_started", created,
                name, roomSid, "", "", "", "", e.getEgressId(), true)));
        return events;
    }
}
