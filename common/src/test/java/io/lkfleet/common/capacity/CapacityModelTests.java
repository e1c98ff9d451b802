package io.lkfleet.common.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityModelTests {

    static CapacityAssumptions assumptions(Map<String, String> overrides) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(CapacityAssumptions.class)
                .withSources(new MapBackedConfigSource("test", overrides) {
                })
                .build();
        return config.getConfigMapping(CapacityAssumptions.class);
    }

    private final CapacityModel model = new CapacityModel(assumptions(Map.of()));

    @Test
    void fourPersonMeetingForwardsTwelveVideoAndTwelveAudioTracks() {
        RoomCost cost = model.cost(RoomShape.meeting(4));
        assertEquals(12, cost.videoSubscriptions());
        assertEquals(12, cost.audioSubscriptions());
        assertEquals(24, cost.subscriptions());
        // 12 × 1700 + 12 × 32 kbit/s
        assertEquals(20_784, cost.egressKbps());
        // 4 publishers × (1700 + 500 + 150 + 32)
        assertEquals(9_528, cost.ingressKbps());
    }

    @Test
    void tenSmallRoomsCostFarLessThanOneRoomOfTheSamePeople() {
        long tenRooms = 10 * model.cost(RoomShape.meeting(4)).subscriptions();
        long oneRoom = model.cost(RoomShape.meeting(40)).subscriptions();
        assertEquals(240, tenRooms);
        assertEquals(40 * 39 * 2, oneRoom);
    }

    @Test
    void webinarCostsOnlyItsPublishersTracksTimesTheAudience() {
        // 2 presenters (camera+mic) and one screen share, 498 watchers: 500 participants
        RoomCost cost = model.cost(new RoomShape(500, 2, 1));
        assertEquals(2 * 499, cost.videoSubscriptions());
        assertEquals(2 * 499, cost.audioSubscriptions());
        assertEquals(499, cost.screenShareSubscriptions());
        assertEquals(2 * 499 * 1700 + 2 * 499 * 32 + 499 * 2500, cost.egressKbps());
    }

    @Test
    void emptyAndSingleParticipantRoomsForwardNothing() {
        assertEquals(RoomCost.ZERO.subscriptions(), model.cost(new RoomShape(0, 0, 0)).subscriptions());
        RoomCost alone = model.cost(RoomShape.meeting(1));
        assertEquals(0, alone.subscriptions());
        assertEquals(0, alone.egressKbps());
        assertEquals(2_382, alone.ingressKbps());
    }

    @Test
    void publisherJoiningAMeetingAddsItsTracksToEveryoneAndEveryonesToIt() {
        RoomCost delta = model.deltaOfPublisher(RoomShape.meeting(4));
        // 5-room 20+20 minus 4-room 12+12: 2×4 new video subscriptions (4 to the newcomer, 4 of it)
        assertEquals(8, delta.videoSubscriptions());
        assertEquals(8, delta.audioSubscriptions());
        assertEquals(16, delta.subscriptions());
    }

    @Test
    void subscriberJoiningAWebinarAddsOneSubscriptionPerPublishedTrack() {
        RoomCost delta = model.deltaOfSubscriber(new RoomShape(100, 2, 1));
        assertEquals(2, delta.videoSubscriptions());
        assertEquals(2, delta.audioSubscriptions());
        assertEquals(1, delta.screenShareSubscriptions());
        assertEquals(2 * 1700 + 2 * 32 + 2500, delta.egressKbps());
        assertEquals(0, delta.ingressKbps());
    }

    @Test
    void nodeLimitKeepsThirtyFivePercentFreeByDefault() {
        NodeLimit limit = model.limit(1000, 1000);
        assertEquals(650, limit.maxSubscriptions());
        assertEquals(650_000, limit.maxEgressKbps());
        assertTrue(limit.admits(634, 0, model.deltaOfPublisher(RoomShape.meeting(4))));
        assertFalse(limit.admits(635, 0, model.deltaOfPublisher(RoomShape.meeting(4))));
        assertEquals(0.35, limit.headroomRatio(0, 0) - 0.65, 1e-9);
        assertEquals(0.0, limit.headroomRatio(650, 1_000), 1e-9);
    }

    @Test
    void headroomAndBitratesAreConfigurable() {
        CapacityModel custom = new CapacityModel(assumptions(Map.of(
                "fleet.capacity.headroom", "0.30",
                "fleet.capacity.audio-kbps", "48",
                "fleet.capacity.video.high-kbps", "1000",
                "fleet.capacity.video.mix-high", "0.5",
                "fleet.capacity.video.mix-low", "0.5")));
        assertEquals(700, custom.limit(1000, 100).maxSubscriptions());
        assertEquals(70_000, custom.limit(1000, 100).maxEgressKbps());
        assertEquals(575.0, custom.forwardedVideoKbps(), 1e-9);
        assertEquals(12 * 575 + 12 * 48, custom.cost(RoomShape.meeting(4)).egressKbps());
    }

    @Test
    void rejectsImpossibleShapesAndMixes() {
        assertThrows(IllegalArgumentException.class, () -> new RoomShape(2, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new RoomShape(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SimulcastMix(0.5, 0.2, 0.2));
        assertThrows(IllegalArgumentException.class, () -> NodeLimit.of(1000, 1000, 1.0));
    }
}
