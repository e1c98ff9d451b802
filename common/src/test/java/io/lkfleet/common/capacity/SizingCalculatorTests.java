package io.lkfleet.common.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SizingCalculatorTests {
    private static final SimulcastMix ALL_HIGH = new SimulcastMix(1, 0, 0);
    private final SizingCalculator sizing = new SizingCalculator(
            new CapacityModel(CapacityModelTests.assumptions(Map.of())));

    @Test
    void guidesHundredTwoWayParticipantsInFourPersonRoomsForwardThreeHundredVideoAndAudioTracks() {
        SizingEstimate estimate = sizing.estimate(new SizingRequest(100, Map.of(4, 1.0), 1.0, ALL_HIGH, 1000, 1000));
        assertEquals(25, estimate.rooms(), 1e-9);
        assertEquals(300, estimate.videoSubscriptions(), 1e-9);
        assertEquals(300, estimate.audioSubscriptions(), 1e-9);
        // 300 × 1.7 + 300 × 0.032 Mbit/s = 0.5196 Gbit/s: inside the guide's 0.4–0.8 Gbit/s budget
        assertEquals(0.5196, estimate.egressGbps(), 1e-9);
        assertTrue(estimate.egressGbps() >= 0.4 && estimate.egressGbps() <= 0.8);
        assertEquals(1, estimate.nodes());
        assertTrue(estimate.largestRoomFits());
    }

    @Test
    void egressFollowsTheSimulcastLayersForwarded() {
        // the same 300+300 subscriptions with half of the video at the medium layer
        SizingEstimate mixed = sizing.estimate(new SizingRequest(100, Map.of(4, 1.0), 1.0,
                new SimulcastMix(0.5, 0.5, 0), 1000, 1000));
        assertEquals(300 * 1.1 / 1000 + 300 * 0.032 / 1000, mixed.egressGbps(), 1e-9);
    }

    @Test
    void nodeCountFollowsWhicheverLimitBindsFirst() {
        // 10,000 people in 4-rooms: 60,000 subscriptions → 93 nodes of 650; egress 51.96 Gbit/s → 160 nodes of 325 Mbit/s
        SizingEstimate estimate = sizing.estimate(new SizingRequest(10_000, Map.of(4, 1.0), 1.0, ALL_HIGH, 1000, 500));
        assertEquals(60_000, estimate.subscriptions(), 1e-9);
        assertEquals(93, estimate.nodesForSubscriptions());
        assertEquals(160, estimate.nodesForEgress());
        assertEquals(160, estimate.nodes());
    }

    @Test
    void mixedRoomSizesAndPartialPublishingAreWeightedByParticipants() {
        // 1,000 people: half in 2-rooms, half in 10-rooms; 60 % publish
        SizingEstimate estimate = sizing.estimate(new SizingRequest(1000, Map.of(2, 0.5, 10, 0.5), 0.6, ALL_HIGH,
                1000, 1000));
        assertEquals(250 + 50, estimate.rooms(), 1e-9);
        assertEquals(500 * 0.6 * 1 + 500 * 0.6 * 9, estimate.videoSubscriptions(), 1e-9);
    }

    @Test
    void flagsARoomTooBigForOneNode() {
        // a 20-person meeting carries 760 subscriptions: more than one node's 650
        SizingEstimate estimate = sizing.estimate(new SizingRequest(20, Map.of(20, 1.0), 1.0, ALL_HIGH, 1000, 100_000));
        assertEquals(760, estimate.largestRoom().subscriptions());
        assertFalse(estimate.largestRoomFits());
    }

    @Test
    void rejectsRoomSizeSharesThatDoNotAddUp() {
        assertThrows(IllegalArgumentException.class,
                () -> new SizingRequest(100, Map.of(4, 0.5), 1.0, ALL_HIGH, 1000, 1000));
    }

    @Test
    void rejectsNaNWhereverAShareGoes() {
        assertThrows(IllegalArgumentException.class,
                () -> new SizingRequest(100, Map.of(4, Double.NaN), 1.0, ALL_HIGH, 1000, 1000));
        assertThrows(IllegalArgumentException.class,
                () -> new SizingRequest(100, Map.of(4, 1.0), Double.NaN, ALL_HIGH, 1000, 1000));
        assertThrows(IllegalArgumentException.class, () -> new SimulcastMix(Double.NaN, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SimulcastMix(Double.POSITIVE_INFINITY, 0, 0));
    }
}
