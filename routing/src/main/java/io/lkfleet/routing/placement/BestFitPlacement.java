package io.lkfleet.routing.placement;

import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * For declared big rooms: the node with the least free capacity that still fits the whole room,
 * so the emptiest nodes stay free for the next big room ("webinar for 2,000"). Nodes it does not
 * fit on come last (the admission script will refuse them); equally free nodes in random order.
 */
public final class BestFitPlacement implements PlacementPolicy {
    @Override
    public List<NodeLoad> order(List<NodeLoad> candidates, long expectedSubscriptions, RandomGenerator random) {
        return PlacementPolicy.shuffled(candidates, random).stream()
                .sorted(Comparator.comparing((NodeLoad n) -> n.free() < expectedSubscriptions)
                        .thenComparingLong(NodeLoad::free)).toList();
    }
}
