package io.lkfleet.capacity.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * capacity-service's own settings (prefix {@code capacity}). The fleet ({@code fleet.regions},
 * {@code fleet.node-classes}) and the capacity model's assumptions ({@code fleet.capacity}) are
 * shared with the other services and mapped in lkfleet-common.
 */
@ConfigMapping(prefix = "capacity")
public interface CapacityConfig {

    /**
     * Bearer token the admin APIs (rebuild) require. Secret: from the environment
     * ({@code CAPACITY_ADMIN_TOKEN}). Required outside the dev and test profiles; unset there, the
     * admin APIs refuse every call.
     */
    Optional<String> adminToken();

    /** Reading each region's LiveKit node registry. */
    Registry registry();

    /** Applying webhook events. */
    Events events();

    /** Noticing that lkfleet's Redis lost the model. */
    Model model();

    /** The ops guards (idle rooms, egress without publishers). */
    Guards guards();

    /** Acting on what the guards find, through each region's LiveKit server API. */
    Reaper reaper();

    /**
     * How long a finished room's hash stays (the tombstone that makes late events of its session
     * harmless) and a gone node's, before Redis lets them go: the model's memory follows the live
     * fleet, not its history. Applied event ids are kept for {@code capacity.events.applied-retention}.
     */
    @WithName("finished-room-ttl")
    @WithDefault("1h")
    Duration finishedRoomTtl();

    /** The fleet console at {@code /console/}. */
    Console console();

    interface Registry {
        /** How often each region's {@code nodes} and {@code room_node_map} are read (LiveKit rewrites them every 2 s). */
        @WithDefault("1s")
        Duration pollInterval();
    }

    interface Events {
        /** How long applied event ids are remembered for de-duplication (LiveKit retries within ~15 s). */
        @WithDefault("24h")
        Duration appliedRetention();

        /** First wait before retrying an event whose Redis write failed (doubles up to {@link #maxRetryBackoff()}). */
        @WithDefault("100ms")
        Duration retryBackoff();

        /** Longest wait between retries; events are retried until Redis answers, never skipped. */
        @WithDefault("5s")
        Duration maxRetryBackoff();
    }

    interface Model {
        /** How often each region's model mark ({@code fleet:{region}:model}) is checked; gone = rebuild. */
        @WithDefault("1s")
        Duration checkInterval();
    }

    interface Guards {
        /** How often the guards look at every room (they read all of a region's rooms). */
        @WithDefault("30s")
        Duration interval();

        /** A room is reported idle once it has been empty this long, with no join reserved (see IdleRoom). */
        @WithDefault("10m")
        Duration idleRoomGrace();
    }

    interface Console {
        /** Prometheus (base URL of its HTTP API) whose alerts the console shows; absent: no alerts shown. */
        Optional<String> prometheusUrl();

        /** region-router, to which the console forwards the operator's admin actions with their credential. */
        @WithDefault("http://127.0.0.1:8082")
        String routerUrl();
    }

    interface Reaper {
        /** Off by default: the guards only report. */
        @WithDefault("false")
        boolean enabled();

        /** When enabled, only log and count what would be done. */
        @WithDefault("true")
        boolean dryRun();

        /** How long egress must have run without a publisher before it is stopped. */
        @WithDefault("5m")
        Duration egressGrace();
    }
}
