package io.lkfleet.capacity;

import io.lkfleet.common.capacity.RoomShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds webhook bodies the way LiveKit v1.13 writes them (protojson: lowerCamelCase, zero values
 * omitted — no {@code type} on audio tracks —, int64 as strings) and whole room histories.
 */
final class WebhookEvents {
    private static final AtomicLong IDS = new AtomicLong();

    /** One event of one room, as it would sit on the topic. */
    record Event(String room, String id, String type, String json) {
    }

    private WebhookEvents() {
    }

    /**
     * A room's history ending in {@code shape} (camera+mic publishers, screen shares by the first
     * publisher) and one active egress, with churn on the way: a publisher that joins, publishes and
     * leaves, a participant that reconnects under a new sid, a track unpublished, an egress ended.
     */
    static List<Event> roomReaching(String room, RoomShape shape, long start) {
        Clock clock = new Clock(start);
        String sid = "RM_" + room;
        List<Event> events = new ArrayList<>();
        events.add(event(room, "room_started", clock.next(), roomJson(room, sid), ""));
        for (int p = 0; p < shape.participants(); p++) {
            String psid = "PA_" + room + "_" + p;
            events.add(joined(room, sid, psid, clock));
            if (p < shape.publishers()) {
                events.add(track(room, sid, "track_published", psid, "TR_" + room + "_" + p + "_cam", "VIDEO", "CAMERA", clock));
                events.add(track(room, sid, "track_published", psid, "TR_" + room + "_" + p + "_mic", null, "MICROPHONE", clock));
            }
        }
        String presenter = "PA_" + room + "_0";
        for (int s = 0; s < shape.screenShares(); s++) {
            events.add(track(room, sid, "track_published", presenter, "TR_" + room + "_screen" + s, "VIDEO", "SCREEN_SHARE", clock));
        }
        // a visitor who publishes, unpublishes one track and leaves
        String visitor = "PA_" + room + "_visitor";
        events.add(joined(room, sid, visitor, clock));
        events.add(track(room, sid, "track_published", visitor, "TR_" + room + "_v_cam", "VIDEO", "CAMERA", clock));
        events.add(track(room, sid, "track_published", visitor, "TR_" + room + "_v_mic", null, "MICROPHONE", clock));
        events.add(track(room, sid, "track_unpublished", visitor, "TR_" + room + "_v_cam", "VIDEO", "CAMERA", clock));
        events.add(event(room, "participant_left", clock.next(), roomJson(room, sid), participantJson(visitor)));
        // a watcher who drops and reconnects under a new sid, so it is still there at the end
        if (shape.subscribers() > 0) {
            String watcher = "PA_" + room + "_" + (shape.participants() - 1);
            events.add(event(room, "participant_left", clock.next(), roomJson(room, sid), participantJson(watcher)));
            events.add(joined(room, sid, watcher + "_again", clock));
        }
        events.add(egress(room, sid, "egress_started", "EG_" + room + "_1", "EGRESS_ACTIVE", clock));
        events.add(egress(room, sid, "egress_ended", "EG_" + room + "_1", "EGRESS_COMPLETE", clock));
        events.add(egress(room, sid, "egress_started", "EG_" + room + "_2", null, clock));
        return events;
    }

    /**
     * A big room's churn: {@code participants} join, a random part publish camera, mic or a screen
     * share, unpublish some of it, and leave; egress starts and ends. Every object goes through
     * every state it can, so a room's counts are tested against every change of its objects.
     */
    static List<Event> churn(String room, int participants, Random random, long start) {
        Clock clock = new Clock(start);
        String sid = "RM_" + room;
        List<Event> events = new ArrayList<>();
        events.add(event(room, "room_started", clock.next(), roomJson(room, sid), ""));
        for (int p = 0; p < participants; p++) {
            String psid = "PA_" + room + "_" + p;
            events.add(joined(room, sid, psid, clock));
            String[][] tracks = { { "cam", "VIDEO", "CAMERA" }, { "mic", null, "MICROPHONE" },
                { "screen", "VIDEO", "SCREEN_SHARE" } };
            for (String[] t : tracks) {
                if (random.nextInt(3) > 0) {
                    String tsid = "TR_" + room + "_" + p + "_" + t[0];
                    events.add(track(room, sid, "track_published", psid, tsid, t[1], t[2], clock));
                    if (random.nextInt(4) == 0) {
                        events.add(track(room, sid, "track_unpublished", psid, tsid, t[1], t[2], clock));
                    }
                }
            }
            if (random.nextInt(3) == 0) {
                events.add(event(room, "participant_left", clock.next(), roomJson(room, sid), participantJson(psid)));
            }
            if (random.nextInt(10) == 0) {
                events.add(egress(room, sid, "egress_started", "EG_" + room + "_" + p, "EGRESS_ACTIVE", clock));
                if (random.nextBoolean()) {
                    events.add(egress(room, sid, "egress_ended", "EG_" + room + "_" + p, "EGRESS_COMPLETE", clock));
                }
            }
        }
        return events;
    }

    /** A room that opened, had a meeting and closed. */
    static List<Event> finishedRoom(String room, long start) {
        List<Event> events = new ArrayList<>(roomReaching(room, RoomShape.meeting(3), start));
        events.add(event(room, "room_finished", start + 1000, roomJson(room, "RM_" + room), ""));
        return events;
    }

    static Event joined(String room, String roomSid, String psid, Clock clock) {
        return event(room, "participant_joined", clock.next(), roomJson(room, roomSid), participantJson(psid));
    }

    static Event track(String room, String roomSid, String type, String psid, String tsid, String kind, String source,
            Clock clock) {
        String track = "\"track\":{\"sid\":\"" + tsid + "\"" + (kind == null ? "" : ",\"type\":\"" + kind + "\"")
                + ",\"source\":\"" + source + "\"}";
        return event(room, type, clock.next(), roomJson(room, roomSid), participantJson(psid) + "," + track);
    }

    static Event egress(String room, String roomSid, String type, String egressId, String status, Clock clock) {
        String info = "\"egressInfo\":{\"egressId\":\"" + egressId + "\",\"roomId\":\"" + roomSid + "\",\"roomName\":\""
                + room + "\"" + (status == null ? "" : ",\"status\":\"" + status + "\"") + "}";
        String id = "EV_" + IDS.incrementAndGet();
        return new Event(room, id, type, "{\"event\":\"" + type + "\"," + info + ",\"id\":\"" + id
                + "\",\"createdAt\":\"" + clock.next() + "\"}");
    }

    private static Event event(String room, String type, long createdAt, String roomJson, String rest) {
        String id = "EV_" + IDS.incrementAndGet();
        return new Event(room, id, type, "{\"event\":\"" + type + "\"," + roomJson + (rest.isEmpty() ? "" : "," + rest)
                + ",\"id\":\"" + id + "\",\"createdAt\":\"" + createdAt + "\"}");
    }

    private static String roomJson(String room, String sid) {
        return "\"room\":{\"sid\":\"" + sid + "\",\"name\":\"" + room + "\",\"emptyTimeout\":300}";
    }

    private static String participantJson(String psid) {
        return "\"participant\":{\"sid\":\"" + psid + "\",\"identity\":\"id-" + psid + "\",\"state\":\"ACTIVE\"}";
    }

    /** createdAt has second resolution: a history moves one second per event. */
    static final class Clock {
        private long now;

        Clock(long start) {
            this.now = start;
        }

        long next() {
            return now++;
        }
    }
}
