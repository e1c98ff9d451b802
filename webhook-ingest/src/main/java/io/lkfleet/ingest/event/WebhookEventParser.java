package io.lkfleet.ingest.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import livekit.LivekitWebhook.WebhookEvent;

/**
 * Reads a verified body as a {@code livekit.WebhookEvent}: strict UTF-8 JSON (protobuf's own JSON parser
 * alone is lenient: single quotes, comments, trailing garbage and duplicate keys all pass, so what lands in
 * Kafka would not be readable by every consumer) that protobuf's parser accepts, with unknown fields
 * ignored so that newer LiveKit versions keep working.
 *
 * <p>A body as LiveKit writes it is read in one streaming pass ({@link EventReader}) that takes only the
 * fields the record needs. Building the protobuf message through {@code JsonFormat} cost ~15 % of the
 * service's CPU and over a quarter of its allocation (it rebuilds its field maps on every call and parses
 * into a Gson tree after the strict check had already read the body). Any body that pass is not sure of is
 * judged exactly as before: the strict check on the decoded text, then {@code JsonFormat}.
 */
@Singleton
public class WebhookEventParser {
    /** Deeper than any LiveKit event (~5 levels) yet far from stack trouble. */
    static final int MAX_NESTING = 32;

    static final JsonFactory STRICT_JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();
    private static final Set<String> STRING_MEMBERS = Set.of("event", "id");
    private static final JsonFormat.Parser PROTO_JSON = JsonFormat.parser().ignoringUnknownFields();

    private final EventReader reader = new EventReader(STRICT_JSON, MessageShape.webhookEvent());

    public ParsedEvent parse(String region, byte[] body) {
        if (!StrictUtf8.isWellFormed(body)) {
            throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
        }
        EventFields event = reader.read(body);
        if (event == null) {
            event = parseWithProtobuf(region, body);
        }
        if (event.type.isEmpty()) {
            throw new WebhookRejectedException(Reason.MISSING_EVENT_TYPE, region, null);
        }
        if (event.id.isEmpty()) {
            throw new WebhookRejectedException(Reason.MISSING_EVENT_ID, region, event.type);
        }
        return new ParsedEvent(event.type, event.id, RecordKeys.of(region, event));
    }

    /** The full check for what the streaming pass was not sure of; package-private so tests can compare both. */
    static EventFields parseWithProtobuf(String region, byte[] wellFormedUtf8) {
        String json = new String(wellFormedUtf8, StandardCharsets.UTF_8);
        requireStrictJsonObject(json, region);
        WebhookEvent.Builder builder = WebhookEvent.newBuilder();
        try {
            PROTO_JSON.merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
        }
        return EventFields.of(builder.build());
    }

    /** One strict JSON object, nothing after it; {@code event} and {@code id} are strings (protobuf would take 5). */
    private static void requireStrictJsonObject(String json, String region) {
        try (JsonParser parser = STRICT_JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean mustBeString = STRING_MEMBERS.contains(parser.currentName());
                if (parser.nextToken() != JsonToken.VALUE_STRING && mustBeString) {
                    throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
                }
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
            }
        } catch (IOException e) {
            throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
        }
    }
}
