package io.lkfleet.local;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the one-machine fleet lays the fleet out on loopback (prefix {@code local}): which
 * livekit-server nodes belong to which region, and the ports of Kafka, lkfleet's Redis and the
 * services. Read only by the runner; the services read {@link io.lkfleet.common.fleet.FleetConfig}.
 */
@ConfigMapping(prefix = "local")
public interface LocalConfig {

    Kafka kafka();

    /** Port of lkfleet's own Redis (the {@code fleet:} keys); each region's LiveKit Redis is separate. */
    int fleetRedisPort();

    /**
     * Masters of lkfleet's Redis. 1: one standalone Redis on {@link #fleetRedisPort()}. More: a Redis
     * Cluster of that many masters (no replicas) on {@code fleet-redis-port + 10 × i} (i = 0…n-1),
     * cluster bus on each port + 5, with the regions' hash-tag slots on different masters as far as
     * there are masters; the services then use Quarkus' cluster client.
     */
    @WithDefault("1")
    int fleetRedisMasters();

    /** livekit-server nodes by name; each names the region whose cluster it joins. */
    Map<String, Node> nodes();

    /** lkfleet services by module name (e.g. {@code webhook-ingest}). */
    Map<String, Service> services();

    /** The credentials of lkfleet's own APIs, which the services require outside dev and test. */
    Credentials credentials();

    /** Seconds LiveKit waits after the last participant left before {@code room_finished}. */
    @WithDefault("5")
    int departureTimeoutSeconds();

    /**
     * Origins of the web pages that may call token-service from a browser (livekit-client's
     * {@code TokenSource.endpoint}), handed to it as {@code tokens.browser-origins}; absent: none may.
     */
    Optional<List<String>> browserOrigins();

    /** The fleet's Prometheus (scraping every process, loading deploy/prometheus/rules); absent: none. */
    Optional<Prometheus> prometheus();

    /** The synthetic join probe (tools/rtc-client/probe.mjs); absent: none. */
    Optional<Probe> probe();

    interface Prometheus {
        int port();

        /** Scrape and rule evaluation interval; short, so a dev fleet shows changes at once. */
        @WithDefault("5")
        int scrapeIntervalSeconds();

        /** Port of the machine's node exporter (node_cpu_seconds_total, for the NodeCpuHigh page). */
        int nodeExporterPort();
    }

    interface Probe {
        /** Where the probe serves its Prometheus metrics. */
        int metricsPort();

        @WithDefault("60")
        int intervalSeconds();

        /** API key of the tenant the probe asks token-service as. */
        String tenantKey();

        /** Room-name prefix: the tenant's namespace. */
        String roomPrefix();
    }

    interface Kafka {
        int port();

        int controllerPort();

        /** Partitions of {@code livekit.webhooks}; rooms spread over them by key. */
        @WithDefault("6")
        int webhookPartitions();

        @WithDefault("3")
        int decisionPartitions();
    }

    interface Node {
        /** Region (key of {@code fleet.regions}) whose Redis this node registers in. */
        String region();

        /** Signalling (HTTP/WebSocket) port. */
        int port();

        int rtcTcpPort();

        /** The node's single UDP mux port for media. */
        int rtcUdpPort();

        int prometheusPort();
    }

    interface Service {
        int port();

        /**
         * Instances of the service. More than one run on {@code port + 100 × i} (i = 1…n) behind a
         * round-robin HTTP balancer on {@code port} ({@link ServiceBalancer}), as the Ingress spreads
         * requests over pods.
         */
        @WithDefault("1")
        int instances();
    }

    /** Secrets, from the environment like the API secrets ({@code deploy/local/fleet} generates dev ones). */
    interface Credentials {
        /** Bearer token of region-router's admin APIs ({@code router.admin-token}). */
        String routerAdminToken();

        /** Bearer token a caller of region-router's {@code /v1/route} presents ({@code router.caller-token}); the benchmarks and e2e call it. */
        String routerCallerToken();

        /** Bearer token of capacity-service's admin APIs ({@code capacity.admin-token}). */
        String capacityAdminToken();

        /**
         * Passwords of lkfleet's Redis users by user name (the users and their rights are in
         * {@link RedisUsers#ACL_FILE}): each service's, and {@link RedisUsers#ADMIN} for the harness.
         */
        Map<String, String> redisPasswords();
    }
}
