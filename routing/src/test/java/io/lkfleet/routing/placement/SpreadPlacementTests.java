package io.lkfleet.routing.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpreadPlacementTests {
    private final SpreadPlacement spread = new SpreadPlacement();

    @Test
    void leastLoadedNodeComesFirst() {
        List<NodeLoad> nodes = List.of(new NodeLoad("a", 80, 100), new NodeLoad("b", 10, 100), new NodeLoad("c", 40, 100));
        assertEquals(List.of("b", "c", "a"), ids(spread.order(nodes, 4, new SplittableRandom(1))));
    }

    @Test
    void nodesWithinOneRoomsCostOfEachOtherAreChosenAtRandom() {
        List<NodeLoad> nodes = List.of(new NodeLoad("a", 0, 100), new NodeLoad("b", 3, 100), new NodeLoad("c", 9, 100));
        SplittableRandom random = new SplittableRandom(7);
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            first.merge(spread.order(nodes, 4, random).get(0).nodeId(), 1, Integer::sum);
        }
        assertTrue(first.getOrDefault("a", 0) > 400 && first.getOrDefault("b", 0) > 400, "a and b tie: " + first);
        assertEquals(null, first.get("c"), "c is a whole room's cost busier");
    }

    private static List<String> ids(List<NodeLoad> nodes) {
        return nodes.stream().map(NodeLoad::nodeId).toList();
    }
}
