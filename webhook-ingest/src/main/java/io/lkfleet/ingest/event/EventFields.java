package io.lkfleet.ingest.event;

import io.lkfleet.ingest.event.MessageShape.Capture;
import livekit.LivekitWebhook.WebhookEvent;

/**
 * The members of a webhook event webhook-ingest uses: its type, its id, and what its record key is made of.
 * Absent strings are empty, as protobuf reads them.
 */
final class EventFields {
    String type = "";
    String id = "";
    String roomName = "";
    boolean egress;
    String egressRoomName = "";
    String egressId = "";
    boolean ingress;
    String ingressRoomName = "";
    String ingressId = "";

    static EventFields of(WebhookEvent event) {
        EventFields fields = new EventFields();
        fields.type = event.getEvent();
        fields.id = event.getId();
        fields.roomName = event.getRoom().getName();
        fields.egress = event.hasEgressInfo();
        fields.egressRoomName = event.getEgressInfo().getRoomName();
        fields.egressId = event.getEgressInfo().getEgressId();
        fields.ingress = event.hasIngressInfo();
        fields.ingressRoomName = event.getIngressInfo().getRoomName();
        fields.ingressId = event.getIngressInfo().getIngressId();
        return fields;
    }

    void set(Capture what, String text) {
        switch (what) {
            case EVENT -> type = text;
            case ID -> id = text;
            case ROOM_NAME -> roomName = text;
            case EGRESS_ROOM_NAME -> egressRoomName = text;
            case EGRESS_ID -> egressId = text;
            case INGRESS_ROOM_NAME -> ingressRoomName = text;
            case INGRESS_ID -> ingressId = text;
            case EGRESS -> egress = true;
            case INGRESS -> ingress = true;
            case NONE -> {
            }
        }
    }
}
