package io.lkfleet.router.placement;

import java.util.List;

/**
 * Chooses the order in which a region's nodes are tried for a new room. The admission script has
 * the last word on each node; a policy only decides preference.
 */
public interface PlacementPolicy {

    /** Candidate nodes, most preferred first, for a room expected to cost {@code expectedSubscriptions}. */
    List<NodeLoad> order(List<NodeLoad> candidates, long expectedSubscriptions);
}
