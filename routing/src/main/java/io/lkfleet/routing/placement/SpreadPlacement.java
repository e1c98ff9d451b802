package io.lkfleet.routing.placement;

import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * For rooms of unknown or small size: the least loaded node first, so rooms spread and each keeps
 * room to grow. Loads that differ by less than the new room's expected cost count as equal for it
 * (they are in the same step of that size) and are tried in random order: concurrent first joins
 * read the same loads before any of them reserved, and would otherwise all pick one node.
 */
public final class SpreadPlacement implements PlacementPolicy {
    @Override
    public List<NodeLoad> order(List<NodeLoad> candidates, long expectedSubscriptions, RandomGenerator random) {
        long step = Math.max(1, expectedSubscriptions);
        return PlacementPolicy.shuffled(candidates, random).stream()
                .sorted(Comparator.comparingLong(n -> Math.max(0, n.subscriptions()) / step)).toList();
    }
}
