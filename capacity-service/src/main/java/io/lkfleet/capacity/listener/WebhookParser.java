package io.lkfleet.capacity.listener;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.capacity.WebhookChange;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Set;

/**
 * Reads LiveKit's protojson webhook body (lowerCamelCase, zero values omitted, int64 as strings,
 * enums as names) into a {@link WebhookChange}. Uses the JSON tree, so nothing needs reflection.
 */
@ApplicationScoped
public class WebhookParser {
    /** Egress states after which an egress no longer sends anything. */
    private static final Set<String> EGRESS_TERMINAL = Set.of("EGRESS_COMPLETE", "EGRESS_FAILED", "EGRESS_ABORTED",
            "EGRESS_LIMIT_REACHED");

    private final ObjectMapper json;

    public WebhookParser(ObjectMapper json) {
        this.json = json;
    }

    /** @throws MalformedWebhookException when the body is not a webhook event this service can place */
    public WebhookChange parse(String region, String body) {
        JsonNode event;
        try {
            event = json.readTree(body);
        } catch (IOException e) {
            throw new MalformedWebhookException("not JSON: " + e.getMessage());
        }
        if (event == null || !event.isObject()) {
            throw new MalformedWebhookException("not a JSON object");
        }
        String id = event.path("id").asText("");
        String type = event.path("event").asText("");
        JsonNode egress = event.path("egressInfo");
        String room = event.path("room").path("name").asText(egress.path("roomName").asText(""));
        if (region == null || region.isEmpty() || id.isEmpty() || type.isEmpty() || room.isEmpty()) {
            throw new MalformedWebhookException("event lacks region, id, type or room");
        }
        String roomSid = event.path("room").path("sid").asText(egress.path("roomId").asText(""));
        JsonNode track = event.path("track");
        return new WebhookChange(region, id, type, event.path("createdAt").asLong(0), room, roomSid,
                event.path("participant").path("sid").asText(""), event.path("participant").path("identity").asText(""),
                track.path("sid").asText(""), kindOf(track),
                egress.path("egressId").asText(""), !EGRESS_TERMINAL.contains(egress.path("status").asText("")));
    }

    /** Camera video, screen-share video or audio; the type is omitted for AUDIO (its zero value). */
    static String kindOf(JsonNode track) {
        return track.isMissingNode() ? "" : kindOf(track.path("type").asText("AUDIO"), track.path("source").asText(""));
    }

    /**
     * The model's kind of a track of LiveKit {@code TrackType} and {@code TrackSource} (by enum name):
     * {@code video} (camera), {@code screen}, {@code audio}, or empty for tracks it does not count.
     */
    public static String kindOf(String type, String source) {
        return switch (type) {
            case "AUDIO" -> "audio";
            case "VIDEO" -> "SCREEN_SHARE".equals(source) ? "screen" : "video";
            default -> "";
        };
    }

    /** A record on the webhook topic that can never be applied (retrying will not help). */
    public static class MalformedWebhookException extends RuntimeException {
        public MalformedWebhookException(String message) {
            super(message);
        }
    }
}
