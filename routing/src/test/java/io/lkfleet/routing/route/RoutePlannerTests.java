package io.lkfleet.routing.route;

import static io.lkfleet.routing.route.PlannerFixture.CENTRAL;
import static io.lkfleet.routing.route.PlannerFixture.NOW;
import static io.lkfleet.routing.route.PlannerFixture.WEST;
import static io.lkfleet.routing.route.PlannerFixture.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.routing.Refusal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a node is chosen, policy by policy, from snapshots on paper (no servers). */
class RoutePlannerTests {
    private static final Map<String, Integer> NEAR_CENTRAL = Map.of(WEST, 80, CENTRAL, 10);
    private static final Map<String, Integer> NEAR_WEST = Map.of(WEST, 10, CENTRAL, 80);

    private final PlannerFixture fleet = new PlannerFixture();

    @Test
    void newRoomTriesTheRegionTheClientMeasuredFastestFirstThenTheOthers() {
        List<Attempt> attempts = fleet.planner().plan(join("r", "publisher", NEAR_CENTRAL), fleet.snapshot());
        assertEquals(List.of(CENTRAL, CENTRAL, WEST, WEST), attempts.stream().map(Attempt::region).toList());
        assertTrue(attempts.stream().allMatch(a -> a.kind() == Attempt.Kind.NEW_ROOM && a.claimRegion()));
        assertEquals("measured", attempts.get(0).latencySource());
    }

    @Test
    void withoutMeasurementsTheNearerRegionByLocationComesFirst() {
        RoutePlanner planner = fleet.planner();
        var join = new io.lkfleet.common.contract.RouteRequest("acme", "r", "alice", "publisher", null, null, 52.52,
                13.40, null, null, null, null); // Berlin
        Attempt first = planner.plan(join, fleet.snapshot()).get(0);
        assertEquals(CENTRAL, first.region());
        assertEquals("geo", first.latencySource());
    }

    @Test
    void residencyPolicyLimitsTheRegionsTried() {
        RoutePlanner planner = fleet.planner();
        assertEquals(Set.of(WEST), regions(planner.plan(join("r", NEAR_CENTRAL, Set.of(WEST), null, null, null),
                fleet.snapshot())));
        assertEquals(Set.of(CENTRAL), regions(planner.plan(join("r", NEAR_WEST, null, Set.of("de"), null, null),
                fleet.snapshot())));
        Refusal none = assertThrows(Refusal.class, () -> planner.plan(join("r", NEAR_WEST, null, Set.of("us"), null,
                null), fleet.snapshot()));
        assertEquals(Reason.REGION_NOT_ALLOWED.slug(), none.reason());
    }

    @Test
    void pinnedRoomGoesToItsNodeWhateverTheClientsRtt() {
        fleet.claimed(CENTRAL).pin(CENTRAL, "central-b").load(CENTRAL, "central-b", 99);
        List<Attempt> attempts = fleet.planner().plan(join("r", "subscriber", NEAR_WEST), fleet.snapshot());
        assertEquals(1, attempts.size());
        Attempt only = attempts.get(0);
        assertEquals(Attempt.Kind.PINNED, only.kind());
        assertEquals("central-b", only.node());
        assertFalse(only.createsRoom());
        assertFalse(only.claimRegion());
    }

    @Test
    void pinnedRoomOutsideTheTenantsRegionsIsRefusedNotMoved() {
        fleet.claimed(CENTRAL).pin(CENTRAL, "central-a");
        Refusal refusal = assertThrows(Refusal.class, () -> fleet.planner().plan(join("r", NEAR_WEST, Set.of(WEST),
                null, null, null), fleet.snapshot()));
        assertEquals(Reason.REGION_NOT_ALLOWED.slug(), refusal.reason());
        assertEquals(CENTRAL, refusal.region());
    }

    @Test
    void aRoomOnlyLiveKitKnowsIsPinnedToLiveKitsNode() {
        fleet.liveKitNode(WEST, "west-b");
        Attempt only = fleet.planner().plan(join("r", "publisher", NEAR_CENTRAL), fleet.snapshot()).get(0);
        assertEquals(Attempt.Kind.PINNED, only.kind());
        assertEquals(WEST, only.region());
        assertEquals("west-b", only.node());
    }

    @Test
    void aRoomWhoseNodeDiedIsPlacedAgainInItsRegionOnly() {
        fleet.claimed(WEST).pin(WEST, "west-a").node(WEST, "west-a", true, 30);
        List<Attempt> attempts = fleet.planner().plan(join("r", "publisher", NEAR_CENTRAL), fleet.snapshot());
        assertEquals(1, attempts.size());
        Attempt again = attempts.get(0);
        assertEquals(Attempt.Kind.REPLACE_LOST, again.kind());
        assertEquals("west-b", again.node());
        assertEquals("west-a", again.lostNode(), "the dead pin is removed only if it is still that node");
        assertFalse(again.claimRegion(), "the room keeps its region claim");
        assertTrue(again.createsRoom());
    }

    @Test
    void aRoomWhoseRegionHasNoLiveNodeLeftIsRefusedAsPinnedNodeGone() {
        fleet.claimed(WEST).pin(WEST, "west-a").node(WEST, "west-a", true, 30).draining(WEST, "west-b");
        Refusal refusal = assertThrows(Refusal.class, () -> fleet.planner().plan(join("r", "publisher", NEAR_WEST),
                fleet.snapshot()));
        assertEquals(Reason.PINNED_NODE_GONE.slug(), refusal.reason());
        assertEquals("west-a", refusal.node());
    }

    @Test
    void aNodeShuttingDownKeepsItsRoomsButTakesNoNewOnes() {
        fleet.claimed(WEST).pin(WEST, "west-a").node(WEST, "west-a", false, 0);
        assertEquals(Attempt.Kind.PINNED, fleet.planner().plan(join("r", "publisher", NEAR_WEST), fleet.snapshot())
                .get(0).kind());
        PlannerFixture unclaimed = new PlannerFixture().node(WEST, "west-a", false, 0);
        assertEquals(List.of("west-b"), nodes(unclaimed.planner().plan(join("new", NEAR_WEST, Set.of(WEST), null, null,
                null), unclaimed.snapshot())));
    }

    @Test
    void aClaimedRoomWithoutPinIsPlacedAgainInItsRegion() {
        fleet.claimed(CENTRAL);
        List<Attempt> attempts = fleet.planner().plan(join("r", "publisher", NEAR_WEST), fleet.snapshot());
        assertEquals(Set.of(CENTRAL), regions(attempts));
        assertTrue(attempts.stream().allMatch(a -> a.kind() == Attempt.Kind.PLACE_IN_CLAIMED && !a.claimRegion()));
    }

    @Test
    void roomTooBigForAnyAllowedNodeIsRefusedBeforeAnyAttempt() {
        Refusal refusal = assertThrows(Refusal.class, () -> fleet.planner().plan(join("r", NEAR_WEST, null, null,
                20, null), fleet.snapshot()));
        assertEquals(Reason.ROOM_EXCEEDS_NODE.slug(), refusal.reason());
    }

    @Test
    void regionsWhoseNodeClassCannotHoldTheRoomAreNotTried() {
        PlannerFixture mixed = new PlannerFixture(Map.of("fleet.regions.eu-central.node-class", "small",
                "fleet.node-classes.small.max-subscriptions", "20", "fleet.node-classes.small.egress-mbps", "1000"));
        // 6 publishers: 60 subscriptions, over a small node's 10, under a standard node's 100
        assertEquals(Set.of(WEST), regions(mixed.planner().plan(join("r", NEAR_CENTRAL, null, null, 6, null),
                mixed.snapshot())));
    }

    @Test
    void noLiveNodeInAnyAllowedRegionIsNoHealthyRegion() {
        fleet.node(WEST, "west-a", true, 10).node(WEST, "west-b", true, 10);
        Refusal refusal = assertThrows(Refusal.class, () -> fleet.planner().plan(join("r", NEAR_WEST, Set.of(WEST),
                null, null, null), fleet.snapshot()));
        assertEquals(Reason.NO_HEALTHY_REGION.slug(), refusal.reason());
    }

    @Test
    void drainedNodesTakeNoNewRooms() {
        fleet.draining(WEST, "west-a");
        assertEquals(List.of("west-b"), nodes(fleet.planner().plan(join("r", NEAR_WEST, Set.of(WEST), null, null,
                null), fleet.snapshot())));
    }

    @Test
    void aBookedNodeTakesOnlyItsBookedRoomAndThatRoomOnlyThere() {
        fleet.booked(WEST, "west-a", "webinar", NOW + 60_000);
        RoutePlanner planner = fleet.planner();
        for (int i = 0; i < 20; i++) {
            assertFalse(nodes(planner.plan(join("small-" + i, "publisher", NEAR_WEST), fleet.snapshot()))
                    .contains("west-a"), "a small room was offered the booked node");
        }
        assertEquals(List.of("west-a"), nodes(planner.plan(join("webinar", NEAR_WEST, Set.of(WEST), null, 20, 1),
                fleet.snapshot())));
    }

    @Test
    void anExpiredBookingHoldsNothing() {
        fleet.booked(WEST, "west-a", "webinar", NOW - 1);
        assertEquals(Set.of("west-a", "west-b"), new HashSet<>(nodes(fleet.planner().plan(join("r", NEAR_WEST,
                Set.of(WEST), null, null, null), fleet.snapshot()))));
    }

    @Test
    void aNewRoomCarriesWhatItNeedsToGrowAndTheMostThatFitsOneNode() {
        Attempt first = fleet.planner().plan(join("r", NEAR_WEST, null, null, 4, null), fleet.snapshot()).get(0);
        // a meeting of 4 costs 24 subscriptions; its first publisher alone costs 0
        assertEquals(fleet.model.cost(RoomShape.meeting(4)).subscriptions(), first.roomToGrow().subscriptions());
        // 100 subscriptions per node: a meeting of 7 costs 84, of 8 costs 112
        assertEquals(7, first.maxParticipants());
        Attempt webinar = fleet.planner().plan(join("w", NEAR_WEST, null, null, 40, 1), fleet.snapshot()).get(0);
        assertEquals(51, webinar.maxParticipants(), "one publisher: 2 subscriptions per viewer, 50 viewers");
    }

    @Test
    void undeclaredRoomsAreExpectedToReachTheDefaultSize() {
        Attempt first = fleet.planner().plan(join("r", "subscriber", NEAR_WEST), fleet.snapshot()).get(0);
        // default 2 participants, both publishing: 4 subscriptions; a watching first join costs nothing
        assertEquals(4, first.roomToGrow().subscriptions());
    }

    @Test
    void smallRoomsGoToTheLeastLoadedNodeFirst() {
        fleet.load(WEST, "west-a", 60).load(WEST, "west-b", 10);
        assertEquals(List.of("west-b", "west-a"), nodes(fleet.planner().plan(join("r", NEAR_WEST, Set.of(WEST), null,
                null, null), fleet.snapshot())));
    }

    @Test
    void bigRoomsGoToTheTightestNodeThatStillFits() {
        PlannerFixture big = new PlannerFixture(Map.of("routing.big-room-participants", "5"));
        big.nodes(WEST, "w1", "w2", "w3").load(WEST, "w1", 90).load(WEST, "w2", 40).load(WEST, "w3", 0);
        // a meeting of 5 costs 40: w2 (60 free) fits tightest, w3 (100 free) next, w1 (10 free) last
        assertEquals(List.of("w2", "w3", "w1"), nodes(big.planner().plan(join("r", NEAR_WEST, Set.of(WEST), null, 5,
                null), big.snapshot())));
    }

    @Test
    void aBurstOfNewRoomsReadingTheSameSnapshotSpreadsOverTheRegionsNodes() {
        PlannerFixture region = new PlannerFixture();
        region.nodes(WEST, "w1", "w2", "w3", "w4").load(WEST, "w1", 2).load(WEST, "w3", 1);
        FleetSnapshot same = region.snapshot();
        Map<String, Integer> firstChoices = new HashMap<>();
        for (int room = 0; room < 400; room++) {
            // every planner of the burst sees the same loads, as concurrent first joins do
            String first = region.planner(room).plan(join("burst-" + room, NEAR_WEST, Set.of(WEST), null, null, null),
                    same).get(0).node();
            firstChoices.merge(first, 1, Integer::sum);
        }
        assertEquals(Set.of("w1", "w2", "w3", "w4"), firstChoices.keySet(), "every equally loaded node gets rooms");
        firstChoices.values().forEach(n -> assertTrue(n > 60, "far from even: " + firstChoices));
    }

    @Test
    void aNodeLoadedByMoreThanTheRoomsCostIsNotAChoiceOfEqualWorth() {
        PlannerFixture region = new PlannerFixture();
        region.load(WEST, "west-a", 5);
        for (int seed = 0; seed < 50; seed++) {
            assertEquals("west-b", region.planner(seed).plan(join("r", NEAR_WEST, Set.of(WEST), null, null, null),
                    region.snapshot()).get(0).node());
        }
    }

    private static Set<String> regions(List<Attempt> attempts) {
        return new HashSet<>(attempts.stream().map(Attempt::region).toList());
    }

    private static List<String> nodes(List<Attempt> attempts) {
        return attempts.stream().map(Attempt::node).toList();
    }
}
