package io.lkfleet.routing.route;

import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.routing.Refusal;

/**
 * One node the {@link RouteExecutor} tries for a join, in the order the {@link RoutePlanner} chose.
 *
 * @param maxParticipants for a room created by this attempt: what fits one node (CreateRoom's limit)
 * @param roomToGrow for a room created by this attempt: what its expected size needs beyond this join
 * @param claimRegion the room has no region claim yet: claim {@code region} before admitting
 * @param lostNode for {@link Kind#REPLACE_LOST}: the dead node the room was pinned to
 */
public record Attempt(Kind kind, String region, String node, String latencySource, int maxParticipants,
        RoomCost roomToGrow, boolean claimRegion, String lostNode) {

    /** Why this node is tried; also what the join is refused with when every attempt was full. */
    public enum Kind {
        /** The room runs on this node: it goes there or nowhere. */
        PINNED,
        /** The room's node died: the room is placed again in its region. */
        REPLACE_LOST,
        /** The room is claimed for a region but has no node there (its pin expired): placed again there. */
        PLACE_IN_CLAIMED,
        /** A new room. */
        NEW_ROOM;

        /** The refusal when no node of this kind could take the join. */
        public Refusal exhausted(String room, String region, String node) {
            return switch (this) {
                case PINNED -> new Refusal(Reason.NODE_FULL, "room " + room + " is pinned to node " + node
                        + ", which has no capacity left for this join", region, node);
                case REPLACE_LOST -> new Refusal(Reason.PINNED_NODE_GONE, "room " + room + " lost its node " + node
                        + " and no other node of region " + region + " can take it now", region, node);
                case PLACE_IN_CLAIMED -> new Refusal(Reason.NO_CAPACITY, "no node of region " + region
                        + " can take room " + room + " now", region, null);
                case NEW_ROOM -> new Refusal(Reason.NO_CAPACITY, "no allowed region has a node with room for this join");
            };
        }
    }

    /** True when a successful admission must also create the room in LiveKit on {@code node}. */
    public boolean createsRoom() {
        return kind != Kind.PINNED;
    }

    /** The refusal when this and every later attempt were full. */
    public Refusal exhausted(String room) {
        return kind.exhausted(room, region, kind == Kind.REPLACE_LOST ? lostNode : node);
    }
}
