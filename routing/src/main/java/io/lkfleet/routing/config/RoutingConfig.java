package io.lkfleet.routing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The routing library's settings (prefix {@code routing}, the same keys wherever the library runs:
 * region-router, token-service); the fleet itself comes from {@code fleet.*}. region-router's API
 * credentials are its own ({@code router.*}).
 */
@ConfigMapping(prefix = "routing")
public interface RoutingConfig {

    /** How long an admitted join's reservation counts if the participant never connects. */
    @WithDefault("30s")
    Duration reservationTtl();

    /**
     * Live reservations (admitted joins not connected yet) one tenant may hold in one region; more are
     * refused with 429 {@code reservation-limit}. A repeated request of the same identity for the same
     * room refreshes its one seat and does not count again.
     */
    @WithDefault("2000")
    int maxReservationsPerTenant();

    /** How long the router's own pin of a room to a node lives after its last admission. */
    @WithDefault("30m")
    Duration pinTtl();

    /**
     * Size a new room of undeclared size is expected to reach (all publishing): its node must have
     * room for that, so undeclared rooms do not land where not even a call of this size fits.
     */
    @WithDefault("2")
    int defaultRoomParticipants();

    /** Rooms declared at least this big are placed best-fit; smaller or unknown ones are spread. */
    @WithDefault("50")
    int bigRoomParticipants();

    /** Placement of rooms of unknown or small size. */
    @WithDefault("spread")
    PlacementKind smallRoomPlacement();

    /** Placement of declared big rooms (at least {@link #bigRoomParticipants()}). */
    @WithDefault("best-fit")
    PlacementKind bigRoomPlacement();

    /** How often each region's LiveKit node registry is read. */
    @WithDefault("1s")
    Duration registryPollInterval();

    /** Bound on one call to a region's LiveKit API (CreateRoom). */
    @WithDefault("3s")
    Duration livekitApiTimeout();

    /** What to do when lkfleet's Redis cannot be reached: refuse everything, or admit joins of rooms LiveKit already runs. */
    @WithDefault("fail-closed")
    RedisFailurePolicy redisFailurePolicy();

    /**
     * How many joins one process routes at once; more wait their turn, in arrival order, before their
     * first Redis call, so that call's bound ({@code quarkus.redis.timeout}) measures Redis and not a
     * burst queued in this process. At most lkfleet Redis's connection pool ({@code quarkus.redis.max-pool-size}).
     */
    @WithDefault("32")
    int maxConcurrentRoutes();

    /** Region order used when nothing better is known about a client's latency (default: by name). */
    Optional<List<String>> regionOrder();

    /** How long a learned per-network RTT estimate stays usable. */
    @WithDefault("1h")
    Duration learnedRttMaxAge();

    enum PlacementKind {
        /** Least loaded node first. */
        SPREAD,
        /** Tightest node that still fits the room first. */
        BEST_FIT
    }

    enum RedisFailurePolicy {
        /** No admission accounting possible: refuse every join with 503. */
        FAIL_CLOSED,
        /** Admit joins of rooms LiveKit already has (their node is known), refuse new rooms. */
        ADMIT_PINNED_ONLY
    }
}
