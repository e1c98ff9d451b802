package io.lkfleet.ingest.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.lkfleet.ingest.event.MessageShape.Capture;
import io.lkfleet.ingest.event.MessageShape.Field;
import java.io.IOException;

/**
 * Reads a webhook's fields straight from its bytes in one pass of Jackson's streaming parser, checking
 * on the way that the body is strict JSON (the same factory as the strict check) and that every member
 * protobuf knows has a shape its JSON parser certainly accepts ({@link MessageShape}). It only ever
 * accepts: for anything it is not sure of (a syntax error, a null, a number written as text, an unknown
 * enum name, a field given under both its names...) it answers null and the body is judged by the full
 * strict check and protobuf's own parser, so a verdict never differs from theirs.
 */
final class EventReader {
    /** Past these protobuf's parser refuses a float or double (its bounds are a hair above MAX_VALUE). */
    private static final double FLOAT_SURE = 1e38;
    private static final double DOUBLE_SURE = 1e300;
    /** Up to 18 digits any int64 or uint64 text fits. */
    private static final int SURE_DIGITS = 18;

    private final JsonFactory json;
    private final MessageShape event;

    EventReader(JsonFactory json, MessageShape event) {
        this.json = json;
        this.event = event;
    }

    /** The event's fields, or null when only the full check can tell. */
    EventFields read(byte[] body) {
        if (!plainUtf8Start(body)) {
            return null;
        }
        try (JsonParser parser = json.createParser(body)) {
            EventFields fields = new EventFields();
            boolean sure = parser.nextToken() == JsonToken.START_OBJECT && object(parser, event, fields)
                    && parser.nextToken() == null;
            return sure ? fields : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Jackson guesses the encoding of a byte array from its first four bytes (a NUL among them reads as
     * UTF-16 or UTF-32) and skips a UTF-8 byte order mark; the strict check reads a decoded string and does
     * neither. Such bodies are left to it.
     */
    private static boolean plainUtf8Start(byte[] body) {
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return false;
            }
        }
        return !(body.length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF);
    }

    /** From just after {@code START_OBJECT} to its {@code END_OBJECT}; false when unsure. */
    private static boolean object(JsonParser parser, MessageShape shape, EventFields fields) throws IOException {
        long seen = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            Field field = shape.field(parser.currentName());
            JsonToken token = parser.nextToken();
            if (field == null) {
                parser.skipChildren(); // unknown to this schema: protobuf ignores it too
                continue;
            }
            // protobuf refuses a field given twice (under its two names) or a second member of a oneof.
            if (field.bit() == 0 || (seen & (field.bit() | field.oneofSiblings())) != 0) {
                return false;
            }
            seen |= field.bit();
            if (!(field.repeated() ? array(parser, token, field, fields) : value(parser, token, field, fields))) {
                return false;
            }
        }
        return parser.currentToken() == JsonToken.END_OBJECT;
    }

    private static boolean array(JsonParser parser, JsonToken token, Field field, EventFields fields) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            return false;
        }
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
            if (!value(parser, element, field, fields)) {
                return false;
            }
        }
        return true;
    }

    private static boolean value(JsonParser parser, JsonToken token, Field field, EventFields fields) throws IOException {
        return switch (field.kind()) {
            case STRING -> {
                if (token != JsonToken.VALUE_STRING) {
                    yield false;
                }
                if (field.capture() != Capture.NONE) {
                    fields.set(field.capture(), parser.getText());
                }
                yield true;
            }
            case BOOL -> token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
            case INT32 -> token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT;
            case UINT32 -> token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                    && parser.getLongValue() >= 0 && parser.getLongValue() <= 0xFFFF_FFFFL;
            case INT64 -> token == JsonToken.VALUE_NUMBER_INT ? parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                    : token == JsonToken.VALUE_STRING && decimalText(parser, true);
            case UINT64 -> token == JsonToken.VALUE_NUMBER_INT
                    ? parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER && parser.getLongValue() >= 0
                    : token == JsonToken.VALUE_STRING && decimalText(parser, false);
            case FLOAT -> number(token) && Math.abs(parser.getDoubleValue()) <= FLOAT_SURE;
            case DOUBLE -> number(token) && Math.abs(parser.getDoubleValue()) <= DOUBLE_SURE;
            case ENUM -> token == JsonToken.VALUE_STRING && field.enumNames().contains(parser.getText());
            case MESSAGE -> {
                if (token != JsonToken.START_OBJECT) {
                    yield false;
                }
                fields.set(field.capture(), null);
                yield object(parser, field.message(), fields);
            }
            case MAP -> token == JsonToken.START_OBJECT && map(parser, field.mapValue(), fields);
            case UNSURE -> false;
        };
    }

    private static boolean map(JsonParser parser, Field value, EventFields fields) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            if (!value(parser, parser.nextToken(), value, fields)) {
                return false;
            }
        }
        return true;
    }

    private static boolean number(JsonToken token) {
        return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
    }

    /** int64 as LiveKit writes it, a JSON string of digits: {@code 0} or up to 18 digits without a leading zero. */
    private static boolean decimalText(JsonParser parser, boolean signed) throws IOException {
        char[] text = parser.getTextCharacters();
        int at = parser.getTextOffset();
        int end = at + parser.getTextLength();
        if (signed && at < end && text[at] == '-') {
            at++;
        } else if (end - at == 1 && text[at] == '0') {
            return true;
        }
        if (at == end || end - at > SURE_DIGITS || text[at] == '0') {
            return false;
        }
        for (int i = at; i < end; i++) {
            if (text[i] < '0' || text[i] > '9') {
                return false;
            }
        }
        return true;
    }
}
