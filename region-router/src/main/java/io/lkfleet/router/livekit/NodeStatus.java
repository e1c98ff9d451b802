package io.lkfleet.router.livekit;

/**
 * One SFU node as its region's LiveKit registry last showed it.
 *
 * @param updatedAtSeconds LiveKit's {@code NodeStats.updated_at} (epoch seconds)
 * @param serving {@code SERVING} (not shutting down)
 */
public record NodeStatus(String id, String region, boolean serving, long updatedAtSeconds, int numRooms,
        int numClients, long tracksOut) {

    /** Alive and taking new rooms: serving, and updated recently (LiveKit's own rule, 5 s). */
    public boolean available(long nowSeconds, long staleAfterSeconds) {
        return serving && nowSeconds - updatedAtSeconds < staleAfterSeconds;
    }

    /** Alive at all (a node shutting down still holds its rooms until they end). */
    public boolean alive(long nowSeconds, long staleAfterSeconds) {
        return nowSeconds - updatedAtSeconds < staleAfterSeconds;
    }
}
