package io.lkfleet.ingest.event;

import livekit.LivekitWebhook.WebhookEvent;

/**
 * The Kafka key of an event: {@code region/room} so that a room's events share a partition and keep
 * LiveKit's per-room order. Egress and ingress events carry their room's name when they have one;
 * those without a room (web egress, an ingress not yet attached) are keyed by their own id, which
 * LiveKit also uses to order them: {@code region/egress:EG_...}, {@code region/ingress:IN_...}.
 */
public final class RecordKeys {
    private RecordKeys() {
    }

    public static String of(String region, WebhookEvent event) {
        return region + "/" + subject(event);
    }

    private static String subject(WebhookEvent event) {
        if (!event.getRoom().getName().isEmpty()) {
            return event.getRoom().getName();
        }
        if (event.hasEgressInfo()) {
            String room = event.getEgressInfo().getRoomName();
            return room.isEmpty() ? "egress:" + event.getEgressInfo().getEgressId() : room;
        }
        if (event.hasIngressInfo()) {
            String room = event.getIngressInfo().getRoomName();
            return room.isEmpty() ? "ingress:" + event.getIngressInfo().getIngressId() : room;
        }
        // No room at all (not sent by LiveKit v1.13): one key per event spreads them evenly.
        return "event:" + event.getId();
    }
}
