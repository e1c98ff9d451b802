package io.lkfleet.ingest.event;

/**
 * The Kafka key of an event: {@code region/room} so that a room's events share a partition and keep
 * LiveKit's per-room order. Egress and ingress events carry their room's name when they have one;
 * those without a room (web egress, an ingress not yet attached) are keyed by their own id, which
 * LiveKit also uses to order them: {@code region/egress:EG_...}, {@code region/ingress:IN_...}.
 */
final class RecordKeys {
    private RecordKeys() {
    }

    static String of(String region, EventFields event) {
        return region + "/" + subject(event);
    }

    private static String subject(EventFields event) {
        if (!event.roomName.isEmpty()) {
            return event.roomName;
        }
        if (event.egress) {
            return event.egressRoomName.isEmpty() ? "egress:" + event.egressId : event.egressRoomName;
        }
        if (event.ingress) {
            return event.ingressRoomName.isEmpty() ? "ingress:" + event.ingressId : event.ingressRoomName;
        }
        // No room at all (not sent by LiveKit v1.13): one key per event spreads them evenly.
        return "event:" + event.id;
    }
}
