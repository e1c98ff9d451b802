package io.lkfleet.common.registry;

import java.time.Duration;
import livekit.LivekitInternal;

/**
 * One SFU node as its region's LiveKit registry showed it when read.
 *
 * @param state LiveKit's {@code NodeState} ({@code SERVING}, {@code SHUTTING_DOWN}, ...)
 * @param updatedAtSeconds LiveKit's {@code NodeStats.updated_at} (epoch seconds)
 * @param staleAtSeconds the first second at which the node counts as gone (from {@code fleet.registry.node-stale-after};
 *        for a poller's copy see {@link #asReadAt})
 * @param tracksOut forwarded tracks LiveKit measured ({@code num_tracks_out})
 */
public record RegisteredNode(String id, String region, LivekitInternal.NodeState state, long updatedAtSeconds,
        long staleAtSeconds, int numRooms, int numClients, int tracksIn, int tracksOut, float cpuLoad) {

    /** The node as LiveKit stored it; {@code staleAfter} is the fleet's one staleness setting. */
    public static RegisteredNode of(String region, LivekitInternal.Node node, Duration staleAfter) {
        LivekitInternal.NodeStats stats = node.getStats();
        return new RegisteredNode(node.getId(), region, node.getState(), stats.getUpdatedAt(),
                stats.getUpdatedAt() + staleAfter.toSeconds(), stats.getNumRooms(), stats.getNumClients(),
                stats.getNumTracksIn(), stats.getNumTracksOut(), stats.getCpuLoad());
    }

    /**
     * Still reporting: updated less than the staleness setting ago (LiveKit's {@code selector.IsAvailable},
     * strictly less). A node shutting down is alive and keeps its rooms until they end.
     */
    public boolean alive(long nowSeconds) {
        return nowSeconds < staleAtSeconds;
    }

    /**
     * This node as a poller may keep judging it after reading it at {@code readAtSeconds}, until its
     * next read: a node alive at that read stays alive until one more staleness window has passed,
     * so a read that comes late (a busy process, a slow registry) does not make a live node look gone,
     * while a node found stale at a read is gone at once. A poller that reads every second thus sees
     * a dead node gone at most one read after LiveKit's rule does, and one that cannot read at all
     * for two staleness windows after the node's last update.
     */
    public RegisteredNode asReadAt(long readAtSeconds) {
        if (!alive(readAtSeconds)) {
            return this;
        }
        return new RegisteredNode(id, region, state, updatedAtSeconds, 2 * staleAtSeconds - updatedAtSeconds, numRooms,
                numClients, tracksIn, tracksOut, cpuLoad);
    }

    /** Alive and {@code SERVING}: LiveKit's own selectors place new rooms only on such nodes. */
    public boolean takesNewRooms(long nowSeconds) {
        return alive(nowSeconds) && serving();
    }

    /** Not shutting down (LiveKit's drain on SIGTERM sets {@code SHUTTING_DOWN}). */
    public boolean serving() {
        return state == LivekitInternal.NodeState.SERVING;
    }
}
