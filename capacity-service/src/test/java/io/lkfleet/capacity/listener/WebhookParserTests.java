package io.lkfleet.capacity.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.lkfleet.capacity.WebhookChange;
import java.util.Arrays;
import livekit.LivekitEgress.EgressInfo;
import livekit.LivekitEgress.EgressStatus;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.ParticipantPermission;
import livekit.LivekitModels.Room;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitModels.TrackSource;
import livekit.LivekitModels.TrackType;
import livekit.LivekitWebhook.WebhookEvent;
import org.junit.jupiter.api.Test;

/** The streaming parser on bodies as LiveKit writes them (protojson of livekit.WebhookEvent) and on broken ones. */
class WebhookParserTests {
    private static final String REGION = "eu-west";
    private final WebhookParser parser = new WebhookParser(new ObjectMapper());

    private static final Room ROOM = Room.newBuilder().setName("standup").setSid("RM_1").setEmptyTimeout(300)
            .setMaxParticipants(50).setCreationTime(1_700_000_000L).setMetadata("{\"room\":{\"name\":\"decoy\"}}")
            .setNumParticipants(3).build();
    private static final TrackInfo CAMERA = track("TR_cam", TrackType.VIDEO, TrackSource.CAMERA);
    private static final TrackInfo MIC = track("TR_mic", TrackType.AUDIO, TrackSource.MICROPHONE);
    private static final TrackInfo SCREEN = track("TR_screen", TrackType.VIDEO, TrackSource.SCREEN_SHARE);
    private static final ParticipantInfo PRESENTER = ParticipantInfo.newBuilder().setSid("PA_p").setIdentity("alice")
            .setName("Alice").setState(ParticipantInfo.State.ACTIVE).setJoinedAt(1_700_000_001L)
            .addTracks(CAMERA).addTracks(MIC).putAttributes("sid", "decoy").setMetadata("{\"sid\":\"decoy\"}")
            .setPermission(ParticipantPermission.newBuilder().setCanPublish(true).setCanSubscribe(true)).build();

    @Test
    void readsWhatTheModelNeedsFromLiveKitsOwnBodiesAndSkipsTheRest() throws Exception {
        WebhookEvent joined = WebhookEvent.newBuilder().setEvent("participant_joined").setId("EV_1")
                .setCreatedAt(1_700_000_002L).setRoom(ROOM).setParticipant(PRESENTER).build();
        assertEquals(change("EV_1", "participant_joined", 1_700_000_002L, "standup", "RM_1", "PA_p", "alice", "", "", "",
                true), parse(joined), "nested tracks, attributes, permission and metadata decoys are skipped");

        assertEquals("video", parse(published(CAMERA)).trackKind());
        assertEquals("TR_cam", parse(published(CAMERA)).trackSid());
        assertEquals("audio", parse(published(MIC)).trackKind(), "AUDIO is protojson's zero value: no type at all");
        assertEquals("screen", parse(published(SCREEN)).trackKind());
        assertEquals("", parse(published(track("TR_data", TrackType.DATA, TrackSource.UNKNOWN))).trackKind());
    }

    @Test
    void anEgressEventWithoutARoomIsPlacedByItsEgressInfo() throws Exception {
        EgressInfo active = EgressInfo.newBuilder().setEgressId("EG_1").setRoomName("standup").setRoomId("RM_1")
                .setStatus(EgressStatus.EGRESS_ACTIVE).setStartedAt(1_700_000_003L).build();
        assertEquals(change("EV_2", "egress_started", 1_700_000_004L, "standup", "RM_1", "", "", "", "", "EG_1", true),
                parse(WebhookEvent.newBuilder().setEvent("egress_started").setId("EV_2").setCreatedAt(1_700_000_004L)
                        .setEgressInfo(active).build()));
        WebhookChange ended = parse(WebhookEvent.newBuilder().setEvent("egress_ended").setId("EV_3")
                .setEgressInfo(active.toBuilder().setStatus(EgressStatus.EGRESS_COMPLETE)).build());
        assertEquals(false, ended.egressActive());
        assertEquals("standup", ended.room());
    }

    @Test
    void readsOddButValidJsonAsTheJsonTreeDid() {
        assertEquals(change("EV_b", "participant_left", 17, "b", "RM_b", "", "", "", "", "", true),
                parser.parse(REGION, "{\"id\":\"EV_a\",\"room\":{\"name\":\"a\",\"sid\":\"RM_a\"},\"x\":[{\"id\":1},[]],"
                        + "\"event\":\"participant_left\",\"room\":{\"name\":\"b\",\"sid\":\"RM_b\"},\"id\":\"EV_b\","
                        + "\"createdAt\":17}"),
                "a repeated key's last value wins; unknown arrays and objects are skipped; a numeric createdAt reads");
        WebhookChange nullTrack = parser.parse(REGION,
                "{\"id\":\"EV_c\",\"event\":\"track_published\",\"room\":{\"name\":\"c\"},\"track\":null,\"createdAt\":\"x\"}");
        assertEquals("audio", nullTrack.trackKind(), "a track key of any value is a track, of protojson's zero type");
        assertEquals("", nullTrack.trackSid());
        assertEquals(0, nullTrack.createdAt(), "a createdAt that is no number reads as 0");
        assertEquals("", parser.parse(REGION, "{\"id\":\"EV_d\",\"event\":\"room_started\",\"room\":{\"name\":\"d\","
                + "\"sid\":{\"nested\":1}}}").roomSid(), "an object where a string belongs reads as empty");
        assertEquals("e", parser.parse(REGION, "{\"id\":\"EV_e\",\"event\":\"egress_started\",\"room\":{\"name\":null},"
                + "\"egressInfo\":{\"roomName\":\"e\"}}").room(), "a null room name falls back to the egress's");
    }

    @Test
    void refusesWhatCannotBePlaced() {
        for (String body : Arrays.asList(null, "", "{", "[1]", "\"x\"", "42", "{\"id\":\"EV_1\",\"event\":\"room_started\"}",
                "{\"id\":\"EV_1\",\"room\":{\"name\":\"a\"}}", "{\"event\":\"room_started\",\"room\":{\"name\":\"a\"}}",
                "{\"id\":\"\",\"event\":\"room_started\",\"room\":{\"name\":\"a\"}}",
                "{\"id\":\"EV_1\",\"event\":\"room_started\",\"room\":\"a\"}",
                "{\"id\":\"EV_1\",\"event\":\"room_started\",\"room\":{\"name\":\"a\"},\"x\":[1,}")) {
            assertThrows(WebhookParser.MalformedWebhookException.class, () -> parser.parse(REGION, body), String.valueOf(body));
        }
        assertThrows(WebhookParser.MalformedWebhookException.class,
                () -> parser.parse("", "{\"id\":\"EV_1\",\"event\":\"room_started\",\"room\":{\"name\":\"a\"}}"));
    }

    private WebhookChange parse(WebhookEvent event) throws InvalidProtocolBufferException {
        return parser.parse(REGION, JsonFormat.printer().omittingInsignificantWhitespace().print(event));
    }

    private static WebhookEvent published(TrackInfo track) {
        return WebhookEvent.newBuilder().setEvent("track_published").setId("EV_t").setRoom(ROOM).setParticipant(PRESENTER)
                .setTrack(track).build();
    }

    private static TrackInfo track(String sid, TrackType type, TrackSource source) {
        return TrackInfo.newBuilder().setSid(sid).setType(type).setSource(source).setName(sid).setMuted(false)
                .setWidth(1280).setHeight(720).build();
    }

    private static WebhookChange change(String id, String type, long createdAt, String room, String roomSid, String psid,
            String identity, String tsid, String kind, String egressId, boolean egressActive) {
        return new WebhookChange(REGION, id, type, createdAt, room, roomSid, psid, identity, tsid, kind, egressId, egressActive);
    }
}
