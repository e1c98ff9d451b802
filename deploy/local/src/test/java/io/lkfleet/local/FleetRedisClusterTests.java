package io.lkfleet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FleetRedisClusterTests {

    @Test
    void rangesCoverEverySlotInOrder() {
        for (int masters = 1; masters <= 9; masters++) {
            List<int[]> ranges = FleetRedisCluster.slotRanges(masters, List.of(9524, 12884));
            assertEquals(masters, ranges.size());
            int next = 0;
            for (int[] range : ranges) {
                assertEquals(next, range[0], "ranges are contiguous");
                next = range[1] + 1;
            }
            assertEquals(FleetRedisCluster.SLOTS, next, "the last range ends at the last slot");
        }
    }

    @Test
    void eachRegionSlotGetsARangeOfItsOwnEvenWhenNeighbours() {
        // eu-west's and eu-central's slots, and neighbouring slots an even split would put together
        for (List<Integer> slots : List.of(List.of(9524, 12884), List.of(100, 101), List.of(0, 16383),
                List.of(5000, 5001, 5002))) {
            List<int[]> ranges = FleetRedisCluster.slotRanges(3, slots);
            List<Integer> owners = slots.stream().map(slot -> owner(ranges, slot)).toList();
            assertEquals(slots.size(), owners.stream().distinct().count(), "slots " + slots + " on masters " + owners);
        }
    }

    @Test
    void moreRegionsThanMastersStillCoverEverySlot() {
        List<int[]> ranges = FleetRedisCluster.slotRanges(2, List.of(10, 20, 30));
        assertEquals(2, ranges.size());
        assertNotEquals(owner(ranges, 10), owner(ranges, 20));
        assertEquals(FleetRedisCluster.SLOTS - 1, ranges.get(1)[1]);
    }

    private static int owner(List<int[]> ranges, int slot) {
        for (int i = 0; i < ranges.size(); i++) {
            if (slot >= ranges.get(i)[0] && slot <= ranges.get(i)[1]) {
                return i;
            }
        }
        throw new AssertionError("slot " + slot + " in no range");
    }
}
