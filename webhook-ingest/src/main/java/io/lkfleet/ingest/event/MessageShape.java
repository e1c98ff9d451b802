package io.lkfleet.ingest.event;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import livekit.LivekitWebhook.WebhookEvent;

/**
 * One protobuf message type as a table for reading its JSON without protobuf: each field under both of the
 * names protobuf's JSON parser knows it by (the proto name and the lowerCamelCase JSON name), with the plain
 * JSON shapes that parser certainly accepts for it. Built once from the descriptors, so it follows the
 * LiveKit SDK's schema as it changes. Types whose JSON form has special rules (bytes, well-known types,
 * maps keyed by non-strings) are {@link Kind#UNSURE}: the reader leaves those bodies to protobuf.
 */
final class MessageShape {
    enum Kind { STRING, BOOL, INT32, UINT32, INT64, UINT64, FLOAT, DOUBLE, ENUM, MESSAGE, MAP, UNSURE }

    /** The members of an event webhook-ingest keeps; {@code EGRESS}/{@code INGRESS} mark that the object is there. */
    enum Capture { NONE, EVENT, ID, ROOM_NAME, EGRESS, EGRESS_ROOM_NAME, EGRESS_ID, INGRESS, INGRESS_ROOM_NAME, INGRESS_ID }

    /**
     * @param bit            this field's bit in the set of fields seen in one object (0: index ≥ 64, not tracked)
     * @param oneofSiblings  the bits of the other fields of its oneof (protobuf refuses a second member)
     * @param repeated       a JSON array of elements of {@code kind}
     * @param enumNames      the value names, for {@link Kind#ENUM}
     * @param message        the nested shape, for {@link Kind#MESSAGE}
     * @param mapValue       the value's field, for {@link Kind#MAP} (keys are strings)
     */
    record Field(long bit, long oneofSiblings, Kind kind, boolean repeated, Set<String> enumNames, MessageShape message,
            Field mapValue, Capture capture) {
        Field capturing(Capture what, MessageShape nested) {
            return new Field(bit, oneofSiblings, kind, repeated, enumNames, nested == null ? message : nested, mapValue, what);
        }
    }

    private final Descriptor type;
    private final Map<String, Field> byName;

    private MessageShape(Descriptor type, Map<String, Field> byName) {
        this.type = type;
        this.byName = byName;
    }

    /** {@code livekit.WebhookEvent}, capturing its type, id and what its record key is made of. */
    static MessageShape webhookEvent() {
        MessageShape event = of(WebhookEvent.getDescriptor(), new HashMap<>());
        MessageShape room = event.nested("room").capturing("name", Capture.ROOM_NAME, null);
        MessageShape egress = event.nested("egress_info").capturing("room_name", Capture.EGRESS_ROOM_NAME, null)
                .capturing("egress_id", Capture.EGRESS_ID, null);
        MessageShape ingress = event.nested("ingress_info").capturing("room_name", Capture.INGRESS_ROOM_NAME, null)
                .capturing("ingress_id", Capture.INGRESS_ID, null);
        return event.capturing("event", Capture.EVENT, null).capturing("id", Capture.ID, null)
                .capturing("room", Capture.NONE, room).capturing("egress_info", Capture.EGRESS, egress)
                .capturing("ingress_info", Capture.INGRESS, ingress);
    }

    /** The field a JSON member name stands for, or null if the message has none of that name. */
    Field field(String name) {
        return byName.get(name);
    }

    private static MessageShape of(Descriptor type, Map<Descriptor, MessageShape> built) {
        MessageShape known = built.get(type);
        if (known != null) {
            return known;
        }
        Map<String, Field> byName = new HashMap<>();
        MessageShape shape = new MessageShape(type, byName);
        built.put(type, shape); // before the fields: a message may contain itself
        for (FieldDescriptor f : type.getFields()) {
            Field field = field(f, built);
            byName.put(f.getName(), field);
            byName.put(f.getJsonName(), field);
        }
        return shape;
    }

    private static Field field(FieldDescriptor f, Map<Descriptor, MessageShape> built) {
        long bit = f.getIndex() < 64 ? 1L << f.getIndex() : 0;
        long siblings = 0;
        OneofDescriptor oneof = f.getRealContainingOneof();
        if (oneof != null) {
            for (FieldDescriptor other : oneof.getFields()) {
                siblings |= other != f && other.getIndex() < 64 ? 1L << other.getIndex() : 0;
            }
        }
        if (f.isMapField()) {
            FieldDescriptor key = f.getMessageType().findFieldByName("key");
            FieldDescriptor value = f.getMessageType().findFieldByName("value");
            boolean stringKeys = key.getType() == FieldDescriptor.Type.STRING;
            return new Field(bit, siblings, stringKeys ? Kind.MAP : Kind.UNSURE, false, Set.of(), null,
                    stringKeys ? field(value, built) : null, Capture.NONE);
        }
        Kind kind = kind(f);
        return new Field(bit, siblings, kind, f.isRepeated(),
                kind == Kind.ENUM ? f.getEnumType().getValues().stream().map(EnumValueDescriptor::getName)
                        .collect(Collectors.toUnmodifiableSet()) : Set.of(),
                kind == Kind.MESSAGE ? of(f.getMessageType(), built) : null, null, Capture.NONE);
    }

    private static Kind kind(FieldDescriptor f) {
        return switch (f.getType()) {
            case STRING -> Kind.STRING;
            case BOOL -> Kind.BOOL;
            case INT32, SINT32, SFIXED32 -> Kind.INT32;
            case UINT32, FIXED32 -> Kind.UINT32;
            case INT64, SINT64, SFIXED64 -> Kind.INT64;
            case UINT64, FIXED64 -> Kind.UINT64;
            case FLOAT -> Kind.FLOAT;
            case DOUBLE -> Kind.DOUBLE;
            // google.protobuf.* (NullValue, Timestamp, Struct, wrappers...) have JSON forms of their own.
            case ENUM -> wellKnown(f.getEnumType().getFullName()) ? Kind.UNSURE : Kind.ENUM;
            case MESSAGE -> wellKnown(f.getMessageType().getFullName()) ? Kind.UNSURE : Kind.MESSAGE;
            case BYTES, GROUP -> Kind.UNSURE;
        };
    }

    private static boolean wellKnown(String fullName) {
        return fullName.startsWith("google.protobuf.");
    }

    private MessageShape nested(String protoName) {
        return byName.get(protoName).message();
    }

    /** A copy whose field {@code protoName} captures {@code what} and, for a message, reads with {@code nested}. */
    private MessageShape capturing(String protoName, Capture what, MessageShape nested) {
        FieldDescriptor f = type.findFieldByName(protoName);
        Map<String, Field> copy = new HashMap<>(byName);
        Field captured = byName.get(protoName).capturing(what, nested);
        copy.put(f.getName(), captured);
        copy.put(f.getJsonName(), captured);
        return new MessageShape(type, copy);
    }
}
