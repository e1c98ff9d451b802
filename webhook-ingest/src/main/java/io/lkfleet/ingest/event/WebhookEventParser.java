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
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import livekit.LivekitWebhook.WebhookEvent;

/**
 * Reads a verified body as {@code livekit.WebhookEvent}. Protobuf's JSON parser is lenient (single
 * quotes, comments, trailing garbage, duplicate keys all pass), so the body is first checked to be
 * strict UTF-8 JSON: what lands in Kafka is then readable by any consumer.
 */
@ApplicationScoped
public class WebhookEventParser {
    /** Deeper than any LiveKit event (~5 levels) yet far from stack trouble. */
    static final int MAX_NESTING = 32;

    private static final JsonFactory STRICT_JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();
    private static final Set<String> STRING_MEMBERS = Set.of("event", "id");
    // Unknown fields are tolerated so that newer LiveKit versions keep working.
    private static final JsonFormat.Parser PROTO_JSON = JsonFormat.parser().ignoringUnknownFields();

    public ParsedEvent parse(String region, byte[] body) {
        String json = strictUtf8(body, region);
        requireStrictJsonObject(json, region);
        WebhookEvent.Builder builder = WebhookEvent.newBuilder();
        try {
            PROTO_JSON.merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
        }
        WebhookEvent event = builder.build();
        if (event.getEvent().isEmpty()) {
            throw new WebhookRejectedException(Reason.MISSING_EVENT_TYPE, region, null);
        }
        if (event.getId().isEmpty()) {
            throw new WebhookRejectedException(Reason.MISSING_EVENT_ID, region, event.getEvent());
        }
        return new ParsedEvent(event.getEvent(), event.getId(), RecordKeys.of(region, event));
    }

    private static String strictUtf8(byte[] body, String region) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WebhookRejectedException(Reason.MALFORMED_JSON, region, null);
        }
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
