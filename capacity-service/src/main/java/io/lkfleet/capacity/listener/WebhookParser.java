package io.lkfleet.capacity.listener;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.capacity.WebhookChange;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Set;

/**
 * Reads LiveKit's protojson webhook body (lowerCamelCase, zero values omitted, int64 as strings,
 * enums as names) into a {@link WebhookChange}. Streams the body and keeps only the fields the model
 * uses, skipping the rest (a JSON tree of the whole event was ~12 % of the consumer's CPU); nothing
 * needs reflection. A field reads as the JSON tree's {@code asText} would: a scalar as its text, an
 * object or array as empty, null as absent; a repeated key's last value wins.
 */
@ApplicationScoped
public class WebhookParser {
    /** Egress states after which an egress no longer sends anything. */
    private static final Set<String> EGRESS_TERMINAL = Set.of("EGRESS_COMPLETE", "EGRESS_FAILED", "EGRESS_ABORTED",
            "EGRESS_LIMIT_REACHED");
    private static final String[] ROOM = { "name", "sid" };
    private static final String[] PARTICIPANT = { "sid", "identity" };
    private static final String[] TRACK = { "sid", "type", "source" };
    private static final String[] EGRESS = { "egressId", "roomName", "roomId", "status" };

    private final JsonFactory json;

    public WebhookParser(ObjectMapper json) {
        this.json = json.getFactory();
    }

    /** @throws MalformedWebhookException when the body is not a webhook event this service can place */
    public WebhookChange parse(String region, String body) {
        if (body == null) {
            throw new MalformedWebhookException("no body");
        }
        String id = null;
        String type = null;
        long createdAt = 0;
        String[] room = new String[ROOM.length];
        String[] participant = new String[PARTICIPANT.length];
        String[] track = null;
        String[] egress = new String[EGRESS.length];
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedWebhookException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "id" -> id = text(p);
                    case "event" -> type = text(p);
                    case "createdAt" -> createdAt = asLong(p);
                    case "room" -> room = object(p, ROOM);
                    case "participant" -> participant = object(p, PARTICIPANT);
                    case "track" -> track = object(p, TRACK);
                    case "egressInfo" -> egress = object(p, EGRESS);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new MalformedWebhookException("not JSON: " + e.getMessage());
        }
        String roomName = or(room[0], or(egress[1], ""));
        if (region == null || region.isEmpty() || id == null || id.isEmpty() || type == null || type.isEmpty()
                || roomName.isEmpty()) {
            throw new MalformedWebhookException("event lacks region, id, type or room");
        }
        // a track key of any value is a track (its type omitted for AUDIO, protojson's zero value)
        String kind = track == null ? "" : kindOf(or(track[1], "AUDIO"), or(track[2], ""));
        return new WebhookChange(region, id, type, createdAt, roomName, or(room[1], or(egress[2], "")),
                or(participant[0], ""), or(participant[1], ""), track == null ? "" : or(track[0], ""), kind,
                or(egress[0], ""), !EGRESS_TERMINAL.contains(or(egress[3], "")));
    }

    /** The {@code names} fields of the object at the parser (null where absent); all absent for a non-object. */
    private static String[] object(JsonParser p, String[] names) throws IOException {
        String[] values = new String[names.length];
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return values;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            int i = indexOf(names, field);
            if (i < 0) {
                p.skipChildren();
            } else {
                values[i] = text(p);
            }
        }
        return values;
    }

    private static int indexOf(String[] names, String field) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /** The value at the parser as text: null for JSON null, empty for an object or array. */
    private static String text(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token.isStructStart()) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    }

    /** An int64, which protojson writes as a string; 0 when it is not a number. */
    private static long asLong(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> NumberInput.parseAsLong(p.getText(), 0);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getValueAsLong();
            case VALUE_TRUE -> 1;
            default -> {
                p.skipChildren();
                yield 0;
            }
        };
    }

    private static String or(String value, String absent) {
        return value == null ? absent : value;
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
