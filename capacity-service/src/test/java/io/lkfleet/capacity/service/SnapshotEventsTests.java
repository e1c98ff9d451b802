package io.lkfleet.capacity.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lkfleet.capacity.WebhookChange;
import io.lkfleet.capacity.registry.LiveKitRooms;
import java.util.List;
import livekit.LivekitEgress;
import livekit.LivekitModels;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitModels.TrackSource;
import livekit.LivekitModels.TrackType;
import org.junit.jupiter.api.Test;

class SnapshotEventsTests {
    private static final LivekitModels.Room ROOM = LivekitModels.Room.newBuilder().setName("standup").setSid("RM_1")
            .setCreationTime(1_700_000_000L).build();

    @Test
    void aRoomNowBecomesTheEventsThatBuildItAsTheStreamCountsIt() {
        ParticipantInfo presenter = ParticipantInfo.newBuilder().setSid("PA_p").setIdentity("p")
                .setState(ParticipantInfo.State.ACTIVE)
                .addTracks(track("TR_cam", TrackType.VIDEO, TrackSource.CAMERA))
                .addTracks(track("TR_mic", TrackType.AUDIO, TrackSource.MICROPHONE))
                .addTracks(track("TR_screen", TrackType.VIDEO, TrackSource.SCREEN_SHARE))
                .addTracks(track("TR_data", TrackType.DATA, TrackSource.UNKNOWN)).build();
        ParticipantInfo watcher = ParticipantInfo.newBuilder().setSid("PA_w").setIdentity("w")
                .setState(ParticipantInfo.State.ACTIVE).build();
        ParticipantInfo connecting = ParticipantInfo.newBuilder().setSid("PA_c").setIdentity("c")
                .setState(ParticipantInfo.State.JOINED).build();
        LivekitEgress.EgressInfo recording = LivekitEgress.EgressInfo.newBuilder().setEgressId("EG_1")
                .setRoomName("standup").build();

        List<WebhookChange> events = SnapshotEvents.of("eu-west", "r1",
                new LiveKitRooms.RoomNow(ROOM, List.of(presenter, watcher, connecting), List.of(recording)), 1);

        assertEquals(List.of("room_started", "participant_joined", "track_published", "track_published",
                "track_published", "participant_joined", "egress_started"),
                events.stream().map(WebhookChange::type).toList(), "the data track and the not yet active one are not counted");
        assertEquals(List.of("", "", "video", "audio", "screen", "", ""),
                events.stream().map(WebhookChange::trackKind).toList());
        assertEquals(new WebhookChange("eu-west", "snapshot/r1/RM_1/TR_cam", "track_published", 1_700_000_000L,
                "standup", "RM_1", "PA_p", "p", "TR_cam", "video", "", false), events.get(2));
        assertEquals(new WebhookChange("eu-west", "snapshot/r1/RM_1/EG_1", "egress_started", 1_700_000_000L, "standup",
                "RM_1", "", "", "", "", "EG_1", true), events.get(6));
    }

    @Test
    void aParticipantWithMediaCountsWhateverStateItReports() {
        ParticipantInfo publishing = ParticipantInfo.newBuilder().setSid("PA_x").setIdentity("x")
                .setState(ParticipantInfo.State.JOINED)
                .addTracks(track("TR_mic", TrackType.AUDIO, TrackSource.MICROPHONE)).build();
        List<WebhookChange> events = SnapshotEvents.of("eu-west", "r1",
                new LiveKitRooms.RoomNow(ROOM, List.of(publishing), List.of()), 1);
        assertEquals(List.of("room_started", "participant_joined", "track_published"),
                events.stream().map(WebhookChange::type).toList());
    }

    @Test
    void aRoomWithoutACreationTimeStartsNow() {
        LivekitModels.Room untimed = ROOM.toBuilder().clearCreationTime().build();
        assertEquals(42, SnapshotEvents.of("eu-west", "r1", new LiveKitRooms.RoomNow(untimed, List.of(), List.of()), 42)
                .get(0).createdAt());
    }

    private static TrackInfo track(String sid, TrackType type, TrackSource source) {
        return TrackInfo.newBuilder().setSid(sid).setType(type).setSource(source).build();
    }
}
