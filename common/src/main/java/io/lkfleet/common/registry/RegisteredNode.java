package io.lkfleet.common.registry;

import java.time.Duration;
import livekit.LivekitInternal;

/**
 * One SFU node as its region's LiveKit registry showed it when read.
 *
 * @param state LiveKit's {@code NodeState} ({@code SERVING}, {@code SHUTTING_DOWN}, ...)
 * @param updatedAtSeconds LiveKit's {@code NodeStats.updated_at} (epoch seconds)
 * @param staleAtSeconds the first second at which the node counts as gone (from {@code fleet.registry.node-stale-after})
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

    /** Alive and {@code SERVING}: LiveKit's own selectors place new rooms only on such nodes. */
    public boolean takesNewRooms(long nowSeconds) {
        return alive(nowSeconds) && serving();
    }

    /** Not shutting down (LiveKit's drain on SIGTERM sets {@code SHUTTING_DOWN}). */
    public boolean serving() {
        return state == LivekitInternal.NodeState.SERVING;
    }
}
