package io.lkfleet.ingest.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import livekit.LivekitEgress.EgressInfo;
import livekit.LivekitIngress.IngressInfo;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitWebhook.WebhookEvent;
import org.junit.jupiter.api.Test;

/**
 * The one-pass reader gives every body the verdict the service gave before it (JDK strict UTF-8 decoder,
 * the strict JSON check, then protobuf's {@code JsonFormat}), and reads bodies shaped as LiveKit writes them
 * without falling back to protobuf. Plain JUnit: no fleet.
 */
class WebhookEventParserTests {
    private static final String REGION = "eu-west";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final WebhookEventParser parser = new WebhookEventParser();
    private final EventReader reader = new EventReader(WebhookEventParser.STRICT_JSON, MessageShape.webhookEvent());

    @Test
    void readsEveryFieldOfEveryLiveKitEventInOnePass() throws Exception {
        for (WebhookEvent event : livekitEvents()) {
            for (JsonFormat.Printer printer : List.of(JsonFormat.printer(), JsonFormat.printer().preservingProtoFieldNames())) {
                byte[] body = printer.print(event).getBytes(StandardCharsets.UTF_8);
                assertNotNull(reader.read(body), () -> "not read in one pass: " + new String(body, StandardCharsets.UTF_8));
                assertEquals(reference(body), outcome(body));
            }
        }
    }

    @Test
    void keysRoomEgressAndIngressEventsAsBefore() {
        assertEquals(REGION + "/standup", parser.parse(REGION, json("\"event\":\"room_started\",\"id\":\"EV_1\","
                + "\"room\":{\"name\":\"standup\"},\"egressInfo\":{\"roomName\":\"other\"}")).key());
        assertEquals(REGION + "/talk", parser.parse(REGION, json("\"event\":\"egress_started\",\"id\":\"EV_2\","
                + "\"egressInfo\":{\"egressId\":\"EG_1\",\"roomName\":\"talk\"}")).key());
        assertEquals(REGION + "/egress:EG_1", parser.parse(REGION, json("\"event\":\"egress_started\",\"id\":\"EV_3\","
                + "\"egressInfo\":{\"egressId\":\"EG_1\"}")).key());
        assertEquals(REGION + "/egress:", parser.parse(REGION, json("\"event\":\"egress_started\",\"id\":\"EV_4\","
                + "\"egressInfo\":{}")).key());
        assertEquals(REGION + "/ingress:IN_1", parser.parse(REGION, json("\"event\":\"ingress_started\",\"id\":\"EV_5\","
                + "\"ingress_info\":{\"ingress_id\":\"IN_1\"}")).key());
        assertEquals(REGION + "/event:EV_6", parser.parse(REGION, json("\"event\":\"room_started\",\"id\":\"EV_6\"")).key());
        ParsedEvent joined = parser.parse(REGION, json("\"event\":\"participant_joined\",\"id\":\"EV_7\",\"room\":{\"name\":\"r\"}"));
        assertEquals(new ParsedEvent("participant_joined", "EV_7", REGION + "/r"), joined);
    }

    @Test
    void refusesMalformedBodiesWithMalformedJson() {
        String room = "\"room\":{\"name\":\"r\"}";
        List<String> malformed = List.of("", " ", "null", "[]", "\"x\"", "5", "{", "}", "{\"event\":\"room_started\"," + room,
                "{event:'room_started',id:'EV_1'," + room + "}", started(room) + " trailing", started(room) + "{}",
                started(room) + "/* c */", "\uFEFF" + started(room), started("\"createdAt\":NaN," + room),
                started("\"room\":{\"name\":\"r\",\"numParticipants\":\"x\"}"), started("\"room\":\"r\""),
                started("\"room\":[]"), started("\"room\":{\"name\":5}") + "x", started(room + ",\"id\":\"EV_9\""),
                started(room + ",\"room\":{}"), started(room + ",\"createdAt\":\"1\",\"created_at\":\"2\""),
                started("\"room\":{\"name\":\"r\",\"name\":\"s\"}"), started("\"egressInfo\":{\"roomComposite\":{},\"web\":{}}"),
                started("\"participant\":{\"state\":\"ACTIVE\",\"joinedAt\":\"99999999999999999999\"}"),
                started("\"track\":{\"width\":-1}"), started("\"track\":{\"width\":4294967296}"),
                started("\"participant\":{\"attributes\":{\"a\":null}}"), started("\"participant\":{\"attributes\":{\"a\":1,\"a\":2}}"),
                started("\"participant\":{\"tracks\":[null]}"), started("\"participant\":{\"tracks\":{}}"),
                started("\"room\":{\"name\":\"r\u0001\"}"), started("\"deep\":" + "[".repeat(40) + "]".repeat(40)),
                "{\"event\":5,\"id\":\"EV_1\"," + room + "}", "{\"event\":{},\"id\":\"EV_1\"," + room + "}",
                "{\"event\":\"room_started\",\"id\":null," + room + "}", "{\"event\":\"room_started\",\"id\":[\"EV_1\"]}",
                "\u0000" + started(room), started(room) + "\u0000");
        for (String body : malformed) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertEquals("refused malformed-json", outcome(bytes), body);
            assertEquals(reference(bytes), outcome(bytes), body);
        }
        for (byte[] bad : List.of(new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xC0, (byte) 0xA2}, new byte[] {(byte) 0xFF})) {
            byte[] head = "{\"event\":\"room_started\",\"id\":\"EV_1\",\"room\":{\"name\":\"".getBytes(StandardCharsets.UTF_8);
            byte[] body = ByteBuffer.allocate(head.length + bad.length + 3).put(head).put(bad).put("\"}}".getBytes(StandardCharsets.UTF_8))
                    .array();
            assertEquals("refused malformed-json", outcome(body));
        }
    }

    @Test
    void refusesEventsWithoutTypeOrIdWithTheirOwnReasons() {
        assertEquals("refused missing-event-type", outcome(json("\"id\":\"EV_1\",\"room\":{\"name\":\"r\"}")));
        assertEquals("refused missing-event-type", outcome(json("\"event\":\"\",\"id\":\"EV_1\"")));
        assertEquals("refused missing-event-type", outcome(json("")));
        assertEquals("refused missing-event-id", outcome(json("\"event\":\"room_started\",\"room\":{\"name\":\"r\"}")));
        assertEquals("refused missing-event-id", outcome(json("\"event\":\"room_started\",\"id\":\"\"")));
        WebhookRejectedException noId = refusal(json("\"event\":\"room_started\""));
        assertEquals("room_started", noId.eventType());
        assertEquals(REGION, noId.region());
    }

    @Test
    void ignoresUnknownMembersOfAnyShapeInOnePass() {
        byte[] body = json("\"event\":\"participant_joined\",\"id\":\"EV_1\",\"fromTheFuture\":{\"x\":[1,{\"y\":null}]},"
                + "\"@type\":\"t\",\"room\":{\"name\":\"r\",\"newer\":null,\"n\":1e999},\"participant\":{\"kindOfTheFuture\":[\"X\"],"
                + "\"identity\":\"ana\",\"state\":\"ACTIVE\",\"attributes\":{\"k\":\"v\"}}");
        assertNotNull(reader.read(body));
        assertEquals("accepted participant_joined EV_1 eu-west/r", outcome(body));
        assertEquals(reference(body), outcome(body));
    }

    @Test
    void keysOddAndHugeRoomNamesExactlyAsSent() {
        List<String> names = List.of("caf\u00e9", "\u4f1a\u8bae\u5ba4", "\ud83d\ude80 launch", "\u05e9\u05dc\u05d5\u05dd",
                "a/b/c", "eu-west/other", "with space", "x".repeat(600_000), "\u00e9".repeat(200_000), "", "tab\there");
        for (String name : names) {
            byte[] body = json("\"event\":\"room_started\",\"id\":\"EV_1\",\"room\":{\"name\":" + quoted(name) + "}");
            assertNotNull(reader.read(body));
            String expected = REGION + "/" + (name.isEmpty() ? "event:EV_1" : name);
            assertEquals(expected, parser.parse(REGION, body).key());
            assertEquals(reference(body), outcome(body));
        }
        // Escapes decode as protobuf decodes them, a lone surrogate included.
        for (String escaped : List.of("\\u00e9t\\u00e9", "\\ud83d\\ude80", "\\ud800", "q\\\"\\\\\\/", "\\u0000")) {
            byte[] body = json("\"event\":\"room_started\",\"id\":\"EV_1\",\"room\":{\"name\":\"" + escaped + "\"}");
            assertNotNull(reader.read(body));
            assertEquals(reference(body), outcome(body));
        }
    }

    @Test
    void readsFieldsUnderTheirProtoNamesButNotUnderBothNames() {
        byte[] snake = json("\"event\":\"egress_ended\",\"id\":\"EV_1\",\"created_at\":\"5\",\"egress_info\":{\"room_name\":\"r\"}");
        assertNotNull(reader.read(snake));
        assertEquals("accepted egress_ended EV_1 eu-west/r", outcome(snake));
        byte[] both = json("\"event\":\"egress_ended\",\"id\":\"EV_1\",\"egressInfo\":{\"roomName\":\"r\",\"room_name\":\"s\"}");
        assertNull(reader.read(both));
        assertEquals("refused malformed-json", outcome(both));
    }

    /** Every member of every LiveKit event swapped for values of other shapes, one at a time. */
    @Test
    void givesTheOldVerdictForEveryMemberGivenAnotherShape() throws Exception {
        List<JsonNode> others = List.of(NullNode.instance, IntNode.valueOf(5), IntNode.valueOf(-1), IntNode.valueOf(0),
                LongNode.valueOf(4_294_967_296L), LongNode.valueOf(Long.MIN_VALUE), NODES.numberNode(new BigInteger("18446744073709551616")),
                NODES.numberNode(1.5), DecimalNode.valueOf(new BigDecimal("1e400")), NODES.numberNode(-0.0), NODES.numberNode(1e38),
                TextNode.valueOf("5"), TextNode.valueOf("-5"), TextNode.valueOf("+5"), TextNode.valueOf("007"), TextNode.valueOf("0"),
                TextNode.valueOf("-0"), TextNode.valueOf(" 5"), TextNode.valueOf("1e3"), TextNode.valueOf("x"), TextNode.valueOf(""),
                TextNode.valueOf("NaN"), TextNode.valueOf("-Infinity"), TextNode.valueOf("999999999999999999"),
                TextNode.valueOf("9223372036854775808"), TextNode.valueOf("true"), TextNode.valueOf("ACTIVE"), TextNode.valueOf("VIDEO"),
                TextNode.valueOf("eA=="), BooleanNode.TRUE, NODES.arrayNode(), NODES.arrayNode().add(5), NODES.arrayNode().add("x"),
                NODES.arrayNode().addNull(), NODES.objectNode(), NODES.objectNode().put("a", 1), NODES.objectNode().put("name", "n"));
        int variants = 0;
        int onePass = 0;
        List<WebhookEvent> events = livekitEvents();
        // Each kind of event once; the last one, every object at once, adds nothing but time here.
        for (WebhookEvent event : events.subList(0, events.size() - 1)) {
            JsonNode tree = MAPPER.readTree(JsonFormat.printer().print(event));
            for (List<String> path : objectPaths(tree, new ArrayList<>())) {
                ObjectNode object = (ObjectNode) at(tree, path);
                for (String name : List.copyOf(object.properties().stream().map(Map.Entry::getKey).toList())) {
                    JsonNode original = object.get(name);
                    // A third of the other shapes for each member, a different third for the next one.
                    for (int k = variants % 3; k < others.size(); k += 3) {
                        object.set(name, others.get(k));
                        onePass += sameVerdict(MAPPER.writeValueAsBytes(tree)) ? 1 : 0;
                        variants++;
                    }
                    object.set(name, original);
                    object.set(otherName(name), original);
                    onePass += sameVerdict(MAPPER.writeValueAsBytes(tree)) ? 1 : 0;
                    variants++;
                    object.remove(otherName(name));
                }
            }
        }
        int checked = variants;
        int fast = onePass;
        assertTrue(variants > 2_000 && onePass > variants / 10, () -> checked + " variants, " + fast + " read in one pass");
    }

    /** Asserts that {@code body} gets the old verdict; whether it was read in one pass. */
    private boolean sameVerdict(byte[] body) {
        assertEquals(reference(body), outcome(body), () -> new String(body, StandardCharsets.UTF_8));
        return reader.read(body) != null;
    }

    /** Random damage to LiveKit events: bytes changed, dropped or inserted, JSON punctuation above all. */
    @Test
    void givesTheOldVerdictForRandomlyDamagedBodies() throws Exception {
        Random random = new Random(3);
        byte[] punctuation = "{}[]\",:\\0-e.nt \u00e9".getBytes(StandardCharsets.UTF_8);
        List<byte[]> bodies = new ArrayList<>();
        for (WebhookEvent event : livekitEvents()) {
            bodies.add(JsonFormat.printer().omittingInsignificantWhitespace().print(event).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 2_000; i++) {
            byte[] body = bodies.get(random.nextInt(bodies.size()));
            for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                int at = random.nextInt(body.length);
                byte b = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : punctuation[random.nextInt(punctuation.length)];
                body = switch (random.nextInt(3)) {
                    case 0 -> replaced(body, at, b);
                    case 1 -> removed(body, at);
                    default -> inserted(body, at, b);
                };
            }
            byte[] damaged = body;
            assertEquals(reference(damaged), outcome(damaged), () -> new String(damaged, StandardCharsets.UTF_8));
        }
    }

    /** The verdict before the one-pass reader: the JDK's strict decoder, the strict check and JsonFormat. */
    private static String reference(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            return "refused " + Reason.MALFORMED_JSON.slug();
        }
        return verdict(() -> {
            EventFields fields = WebhookEventParser.parseWithProtobuf(REGION, body);
            if (fields.type.isEmpty()) {
                throw new WebhookRejectedException(Reason.MISSING_EVENT_TYPE);
            }
            if (fields.id.isEmpty()) {
                throw new WebhookRejectedException(Reason.MISSING_EVENT_ID);
            }
            return new ParsedEvent(fields.type, fields.id, RecordKeys.of(REGION, fields));
        });
    }

    private String outcome(byte[] body) {
        return verdict(() -> parser.parse(REGION, body));
    }

    private WebhookRejectedException refusal(byte[] body) {
        try {
            parser.parse(REGION, body);
        } catch (WebhookRejectedException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    private static String verdict(Supplier<ParsedEvent> parse) {
        try {
            ParsedEvent event = parse.get();
            return "accepted " + event.type() + " " + event.id() + " " + event.key();
        } catch (WebhookRejectedException e) {
            return "refused " + e.reason().slug();
        }
    }

    /** One event of each kind LiveKit sends, every field of its objects filled (the first member of each oneof). */
    private static List<WebhookEvent> livekitEvents() throws Exception {
        return List.of(
                WebhookEvent.newBuilder().setEvent("room_started").setId("EV_room").setCreatedAt(1_764_000_000L)
                        .setRoom(Room.parseFrom(filled(Room.getDescriptor(), 0).toByteString())).build(),
                WebhookEvent.newBuilder().setEvent("participant_joined").setId("EV_part").setCreatedAt(1_764_000_000L)
                        .setRoom(Room.parseFrom(filled(Room.getDescriptor(), 2).toByteString()))
                        .setParticipant(ParticipantInfo.parseFrom(filled(ParticipantInfo.getDescriptor(), 0).toByteString())).build(),
                WebhookEvent.newBuilder().setEvent("track_published").setId("EV_track").setCreatedAt(1_764_000_000L)
                        .setRoom(Room.newBuilder().setName("r").setSid("RM_1"))
                        .setParticipant(ParticipantInfo.newBuilder().setSid("PA_1").setIdentity("ana"))
                        .setTrack(TrackInfo.parseFrom(filled(TrackInfo.getDescriptor(), 0).toByteString())).build(),
                WebhookEvent.newBuilder().setEvent("egress_started").setId("EV_egress").setCreatedAt(1_764_000_000L)
                        .setEgressInfo(EgressInfo.parseFrom(filled(EgressInfo.getDescriptor(), 0).toByteString())).build(),
                WebhookEvent.newBuilder().setEvent("ingress_started").setId("EV_ingress").setCreatedAt(1_764_000_000L)
                        .setIngressInfo(IngressInfo.parseFrom(filled(IngressInfo.getDescriptor(), 0).toByteString())).build(),
                WebhookEvent.parseFrom(filled(WebhookEvent.getDescriptor(), 0).toByteString()));
    }

    /** A message with every field set to a value that is not its default, nested messages to a few levels. */
    private static Message filled(Descriptor type, int depth) {
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
        for (FieldDescriptor field : type.getFields()) {
            if (field.getRealContainingOneof() != null && field.getRealContainingOneof().getField(0) != field) {
                continue;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 3) {
                continue;
            }
            if (field.isMapField()) {
                Message.Builder entry = builder.newBuilderForField(field);
                FieldDescriptor key = field.getMessageType().findFieldByName("key");
                FieldDescriptor value = field.getMessageType().findFieldByName("value");
                builder.addRepeatedField(field, entry.setField(key, scalar(key, depth)).setField(value, scalar(value, depth)).build());
            } else if (field.isRepeated()) {
                builder.addRepeatedField(field, scalar(field, depth)).addRepeatedField(field, scalar(field, depth));
            } else {
                builder.setField(field, scalar(field, depth));
            }
        }
        return builder.build();
    }

    private static Object scalar(FieldDescriptor field, int depth) {
        return switch (field.getJavaType()) {
            case STRING -> field.getName().equals("name") || field.getName().equals("room_name") ? "r\u00e9union-" + depth
                    : "v-" + field.getName() + "-\u00e9\ud83d\ude80";
            case BOOLEAN -> true;
            case INT -> field.getType() == FieldDescriptor.Type.UINT32 || field.getType() == FieldDescriptor.Type.FIXED32
                    ? (int) 4_000_000_000L : -7;
            case LONG -> field.getType() == FieldDescriptor.Type.UINT64 || field.getType() == FieldDescriptor.Type.FIXED64
                    ? 1_764_000_000_123L : -1_764_000_000_123L;
            case FLOAT -> 2.5f;
            case DOUBLE -> 0.375;
            case BYTE_STRING -> ByteString.copyFromUtf8("bytes");
            case ENUM -> field.getEnumType().getValues().get(field.getEnumType().getValues().size() - 1);
            case MESSAGE -> filled(field.getMessageType(), depth + 1);
        };
    }

    private static List<List<String>> objectPaths(JsonNode node, List<String> path) {
        List<List<String>> paths = new ArrayList<>();
        if (node.isObject()) {
            paths.add(List.copyOf(path));
        }
        if (node.isContainerNode()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.isObject() ? node.fields() : null;
            for (int i = 0; node.isArray() && i < node.size(); i++) {
                path.add("#" + i);
                paths.addAll(objectPaths(node.get(i), path));
                path.remove(path.size() - 1);
            }
            while (fields != null && fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                path.add(field.getKey());
                paths.addAll(objectPaths(field.getValue(), path));
                path.remove(path.size() - 1);
            }
        }
        return paths;
    }

    private static JsonNode at(JsonNode root, List<String> path) {
        JsonNode node = root;
        for (String step : path) {
            node = node instanceof ArrayNode array && step.startsWith("#") ? array.get(Integer.parseInt(step.substring(1)))
                    : node.get(step);
        }
        return node;
    }

    /** lowerCamelCase for snake_case and back: the other name protobuf knows a field by. */
    private static String otherName(String name) {
        if (name.contains("_")) {
            StringBuilder camel = new StringBuilder();
            boolean up = false;
            for (char c : name.toCharArray()) {
                camel.append(c == '_' ? "" : up ? Character.toString(Character.toUpperCase(c)) : Character.toString(c));
                up = c == '_';
            }
            return camel.toString();
        }
        String snake = name.replaceAll("([A-Z])", "_$1").toLowerCase();
        return snake.equals(name) ? name + "_" : snake;
    }

    private static byte[] replaced(byte[] body, int at, byte b) {
        byte[] copy = body.clone();
        copy[at] = b;
        return copy;
    }

    private static byte[] removed(byte[] body, int at) {
        byte[] copy = new byte[body.length - 1];
        System.arraycopy(body, 0, copy, 0, at);
        System.arraycopy(body, at + 1, copy, at, body.length - at - 1);
        return copy;
    }

    private static byte[] inserted(byte[] body, int at, byte b) {
        byte[] copy = new byte[body.length + 1];
        System.arraycopy(body, 0, copy, 0, at);
        copy[at] = b;
        System.arraycopy(body, at, copy, at + 1, body.length - at);
        return copy;
    }

    private static String started(String members) {
        return "{\"event\":\"room_started\",\"id\":\"EV_1\"," + members + "}";
    }

    private static byte[] json(String members) {
        return ("{" + members + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String quoted(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
