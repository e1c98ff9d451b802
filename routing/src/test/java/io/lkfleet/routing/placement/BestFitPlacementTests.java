package io.lkfleet.routing.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BestFitPlacementTests {
    private final BestFitPlacement bestFit = new BestFitPlacement();

    @Test
    void tightestNodeThatFitsComesFirstAndNodesItDoesNotFitLast() {
        List<NodeLoad> nodes = List.of(new NodeLoad("empty", 0, 100), new NodeLoad("full", 95, 100),
                new NodeLoad("half", 50, 100));
        assertEquals(List.of("half", "empty", "full"),
                bestFit.order(nodes, 40, new SplittableRandom(1)).stream().map(NodeLoad::nodeId).toList());
    }

    @Test
    void equallyFreeNodesAreChosenAtRandom() {
        List<NodeLoad> nodes = List.of(new NodeLoad("a", 20, 100), new NodeLoad("b", 20, 100));
        SplittableRandom random = new SplittableRandom(3);
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            firsts.add(bestFit.order(nodes, 40, random).get(0).nodeId());
        }
        assertEquals(Set.of("a", "b"), firsts);
    }
}
