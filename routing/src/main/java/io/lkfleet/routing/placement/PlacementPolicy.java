package io.lkfleet.routing.placement;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Chooses the order in which a region's nodes are tried for a new room. The admission script has
 * the last word on each node; a policy only decides preference. Nodes a policy finds equally good
 * are ordered at random ({@code random}), so a burst of new rooms that all read the same loads
 * spreads over them instead of herding onto the first by name.
 */
public interface PlacementPolicy {

    /** Candidate nodes, most preferred first, for a room expected to cost {@code expectedSubscriptions}. */
    List<NodeLoad> order(List<NodeLoad> candidates, long expectedSubscriptions, RandomGenerator random);

    /** {@code candidates} in random order: the tie-break of every policy (then sorted stably). */
    static List<NodeLoad> shuffled(List<NodeLoad> candidates, RandomGenerator random) {
        NodeLoad[] nodes = candidates.toArray(NodeLoad[]::new);
        for (int i = nodes.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            NodeLoad swap = nodes[i];
            nodes[i] = nodes[j];
            nodes[j] = swap;
        }
        return List.of(nodes);
    }
}
