package io.lkfleet.common.fleet;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet, described once: every LiveKit region lkfleet manages and the node classes it sizes
 * rooms against. All four services and the local fleet runner read this same mapping (prefix
 * {@code fleet}); in the one-machine fleet it comes from {@code deploy/local/fleet.yaml}, in
 * Kubernetes from a ConfigMap, with secrets from the environment.
 */
@ConfigMapping(prefix = "fleet")
public interface FleetConfig {

    /** LiveKit regions by name (the name is what tokens, keys and metrics carry). */
    Map<String, Region> regions();

    /** Hardware classes of SFU nodes with their measured capacity, by name. */
    Map<String, NodeClass> nodeClasses();

    /** How every reader of LiveKit's node registry (router, capacity-service, local fleet) reads it. */
    Registry registry();

    /**
     * The one liveness rule's setting and the bound on one read of a region's LiveKit Redis. ISO-8601
     * durations ({@code PT5S}): the local fleet reads this mapping with plain SmallRye Config.
     */
    interface Registry {
        /** A node whose {@code updated_at} is this old is gone (LiveKit's own rule: 5 s; it reports every 2 s). */
        @WithDefault("PT5S")
        Duration nodeStaleAfter();

        /** Bound on one read of a region's LiveKit Redis. */
        @WithDefault("PT2S")
        Duration readTimeout();
    }

    /** One LiveKit region: its own cluster of nodes sharing one Redis. */
    interface Region {
        /** Signalling URL clients connect to (ws:// or wss://), usually the region's load balancer. */
        String livekitUrl();

        /** API key of this region; also the {@code iss} of its webhooks, which names the region. */
        String apiKey();

        /** API secret of this region. Secret: from the environment or a secret file, never logged. */
        String apiSecret();

        /** LiveKit's own Redis of this region ({@code redis://host:port}); lkfleet only reads it. */
        String redis();

        /**
         * Jurisdiction tags a tenant's residency policy can require (e.g. {@code eu}, {@code de}).
         * Required: a region whose jurisdiction is unknown must not receive residency-bound rooms.
         */
        List<String> jurisdictions();

        /** Location of the region, for geo-distance ordering when no RTT is known. */
        double latitude();

        double longitude();

        /** TURN server URL handed to clients of this region, if any. */
        Optional<String> turnUrl();

        /** Node class of this region's SFU nodes (key of {@link #nodeClasses()}). */
        @WithDefault("standard")
        String nodeClass();
    }

    /** Measured capacity of one SFU node size. */
    interface NodeClass {
        /** Forwarded (subscribed) tracks one node carries at 100 % before media degrades. */
        int maxSubscriptions();

        /** Egress bandwidth one node can send, in Mbit/s. */
        int egressMbps();
    }
}
