package io.lkfleet.router.placement;

import java.util.Comparator;
import java.util.List;

/**
 * For rooms of unknown or small size: the least loaded node first, so rooms spread and each keeps
 * room to grow.
 */
public final class SpreadPlacement implements PlacementPolicy {
    @Override
    public List<NodeLoad> order(List<NodeLoad> candidates, long expectedSubscriptions) {
        return candidates.stream().sorted(Comparator.comparingLong(NodeLoad::subscriptions)
                .thenComparing(NodeLoad::nodeId)).toList();
    }
}
