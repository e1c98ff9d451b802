package io.lkfleet.local;

import io.lkfleet.common.capacity.CapacityAssumptions;
import io.lkfleet.common.fleet.FleetConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The fleet file read, validated and placed on concrete loopback ports: the same {@link FleetConfig}
 * mapping the services use, plus the runner's {@link LocalConfig}. A port offset moves every port
 * at once so that two fleets can run side by side.
 */
public final class FleetLayout {
    public static final String HOST = "127.0.0.1";

    public record Region(String name, String apiKey, String apiSecret, int redisPort, String livekitUrl,
            FleetConfig.Region config) {
    }

    public record Node(String name, String region, int port, int rtcTcpPort, int rtcUdpPort, int prometheusPort) {
        public String url() {
            return "ws://" + HOST + ":" + port;
        }
    }

    /** A service: its address (a balancer when it has several instances) and its instances. */
    public record Service(String name, int port, List<Instance> instances) {
        public String url() {
            return "http://" + HOST + ":" + port;
        }

        /** Several instances sit behind a balancer on {@link #port()}. */
        public boolean balanced() {
            return instances.size() > 1;
        }
    }

    /**
     * One Redis server of lkfleet's Redis: {@code redis-fleet}, and {@code redis-fleet-2} and on for the
     * further masters of a cluster; {@code busPort} is its cluster bus (unused when standalone).
     */
    public record RedisNode(String name, int port, int busPort) {
    }

    /** One process of a service: {@code token-service}, or {@code token-service-2} and on when there are several. */
    public record Instance(String name, int port) {
        public String url() {
            return "http://" + HOST + ":" + port;
        }
    }

    private final FleetConfig fleet;
    private final LocalConfig local;
    private final int offset;
    private final Map<String, Region> regions = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Service> services = new LinkedHashMap<>();

    private FleetLayout(FleetConfig fleet, LocalConfig local, int offset) {
        this.fleet = fleet;
        this.local = local;
        this.offset = offset;
        new TreeMap<>(fleet.regions()).forEach((name, region) -> regions.put(name, new Region(name, region.apiKey(),
                region.apiSecret(), shift(port(region.redis(), "fleet.regions." + name + ".redis")),
                shiftUrl(region.livekitUrl()), region)));
        new TreeMap<>(local.nodes()).forEach((name, node) -> nodes.put(name, new Node(name, node.region(),
                shift(node.port()), shift(node.rtcTcpPort()), shift(node.rtcUdpPort()), shift(node.prometheusPort()))));
        new TreeMap<>(local.services()).forEach((name, svc) -> services.put(name, service(name, svc)));
        validate();
    }

    private Service service(String name, LocalConfig.Service svc) {
        int port = shift(svc.port());
        if (svc.instances() <= 1) {
            return new Service(name, port, List.of(new Instance(name, port)));
        }
        List<Instance> instances = new ArrayList<>();
        for (int i = 1; i <= svc.instances(); i++) {
            instances.add(new Instance(i == 1 ? name : name + "-" + i, port + 100 * i));
        }
        return new Service(name, port, List.copyOf(instances));
    }

    /**
     * Reads {@code fleetFile}; {@code overrides} win over it and over the environment (tests use
     * them to supply the API secrets the file references).
     */
    public static FleetLayout read(Path fleetFile, Map<String, String> overrides, int portOffset) {
        if (!Files.isRegularFile(fleetFile)) {
            throw new FleetStartException("fleet file " + fleetFile + " does not exist");
        }
        try {
            SmallRyeConfig config = new SmallRyeConfigBuilder()
                    .addDefaultInterceptors()
                    // the environment and system properties only: a test's application.properties is not the fleet
                    .addSystemSources()
                    .withSources(new YamlConfigSource(fleetFile.toUri().toURL(), 100))
                    .withSources(new PropertiesConfigSource(overrides, "fleet overrides", 500))
                    .withMapping(FleetConfig.class)
                    .withMapping(CapacityAssumptions.class)
                    .withMapping(LocalConfig.class)
                    .build();
            return new FleetLayout(config.getConfigMapping(FleetConfig.class),
                    config.getConfigMapping(LocalConfig.class), portOffset);
        } catch (IOException e) {
            throw new FleetStartException("cannot read fleet file " + fleetFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof FleetStartException) {
                throw e;
            }
            throw new FleetStartException("invalid fleet file " + fleetFile + ": " + e.getMessage(), e);
        }
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        nodes.values().stream().filter(n -> !regions.containsKey(n.region())).forEach(n -> problems.add(
                "local.nodes." + n.name() + ".region names unknown region '" + n.region() + "' (known: "
                        + regions.keySet() + ")"));
        regions.values().forEach(r -> {
            if (nodesOf(r.name()).isEmpty()) {
                problems.add("region " + r.name() + " has no node in local.nodes");
            } else if (nodesOf(r.name()).stream().noneMatch(n -> n.url().equals(r.livekitUrl()))) {
                problems.add("fleet.regions." + r.name() + ".livekit-url " + r.livekitUrl()
                        + " is not the URL of any of its nodes");
            }
            if (r.apiSecret().length() < 32) {
                problems.add("fleet.regions." + r.name() + ".api-secret is shorter than 32 characters (LiveKit needs 32+)");
            }
            if (!fleet.nodeClasses().containsKey(r.config().nodeClass())) {
                problems.add("fleet.regions." + r.name() + ".node-class names unknown class '" + r.config().nodeClass() + "'");
            }
        });
        if (local.fleetRedisMasters() < 1 || local.fleetRedisMasters() > 9) {
            problems.add("local.fleet-redis-masters is " + local.fleetRedisMasters() + "; it must be 1 (standalone) to 9");
        }
        local.services().forEach((name, svc) -> {
            if (svc.instances() < 1) {
                problems.add("local.services." + name + ".instances is " + svc.instances() + "; it must be 1 or more");
            }
        });
        Map<Integer, String> seen = new TreeMap<>();
        allPorts().forEach((what, port) -> {
            String other = seen.putIfAbsent(port, what);
            if (other != null) {
                problems.add("port " + port + " is given to both " + other + " and " + what);
            }
        });
        if (!problems.isEmpty()) {
            throw new FleetStartException("bad fleet configuration:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** Every port the fleet will listen on, by what listens there. */
    public Map<String, Integer> allPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("kafka", kafkaPort());
        ports.put("kafka controller", shift(local.kafka().controllerPort()));
        fleetRedisNodes().forEach(n -> {
            ports.put(n.name(), n.port());
            if (fleetRedisCluster()) {
                ports.put(n.name() + " cluster bus", n.busPort());
            }
        });
        regions.values().forEach(r -> ports.put("redis of region " + r.name(), r.redisPort()));
        nodes.values().forEach(n -> {
            ports.put("livekit node " + n.name(), n.port());
            ports.put("livekit node " + n.name() + " rtc tcp", n.rtcTcpPort());
            ports.put("livekit node " + n.name() + " rtc udp", n.rtcUdpPort());
            ports.put("livekit node " + n.name() + " prometheus", n.prometheusPort());
        });
        services.values().forEach(s -> {
            ports.put("service " + s.name(), s.port());
            if (s.balanced()) {
                s.instances().forEach(i -> ports.put("service instance " + i.name(), i.port()));
            }
        });
        local.prometheus().ifPresent(p -> {
            ports.put("prometheus", shift(p.port()));
            ports.put("node exporter", shift(p.nodeExporterPort()));
        });
        local.probe().ifPresent(p -> ports.put("join probe metrics", shift(p.metricsPort())));
        return ports;
    }

    public FleetConfig fleet() {
        return fleet;
    }

    public LocalConfig local() {
        return local;
    }

    public Map<String, Region> regions() {
        return regions;
    }

    public Map<String, Node> nodes() {
        return nodes;
    }

    public List<Node> nodesOf(String region) {
        return nodes.values().stream().filter(n -> n.region().equals(region)).toList();
    }

    public Map<String, Service> services() {
        return services;
    }

    public int kafkaPort() {
        return shift(local.kafka().port());
    }

    public int kafkaControllerPort() {
        return shift(local.kafka().controllerPort());
    }

    public int fleetRedisPort() {
        return shift(local.fleetRedisPort());
    }

    /** Port of the fleet's Prometheus, when the fleet file has one. */
    public OptionalInt prometheusPort() {
        return local.prometheus().map(p -> OptionalInt.of(shift(p.port()))).orElse(OptionalInt.empty());
    }

    public OptionalInt nodeExporterPort() {
        return local.prometheus().map(p -> OptionalInt.of(shift(p.nodeExporterPort())))
                .orElse(OptionalInt.empty());
    }

    public OptionalInt probeMetricsPort() {
        return local.probe().map(p -> OptionalInt.of(shift(p.metricsPort()))).orElse(OptionalInt.empty());
    }

    public String kafkaBootstrap() {
        return HOST + ":" + kafkaPort();
    }

    /** lkfleet's Redis servers: one, or the masters of a cluster ({@code local.fleet-redis-masters}). */
    public List<RedisNode> fleetRedisNodes() {
        List<RedisNode> servers = new ArrayList<>();
        for (int i = 0; i < local.fleetRedisMasters(); i++) {
            int port = fleetRedisPort() + 10 * i;
            servers.add(new RedisNode(i == 0 ? LocalFleet.FLEET_REDIS : LocalFleet.FLEET_REDIS + "-" + (i + 1), port,
                    port + 5));
        }
        return List.copyOf(servers);
    }

    /** lkfleet's Redis is a Redis Cluster (several masters). */
    public boolean fleetRedisCluster() {
        return local.fleetRedisMasters() > 1;
    }

    /** lkfleet's Redis, without credentials (which its default user refuses: see {@link #fleetRedisUri(String)}). */
    public String fleetRedisUri() {
        return "redis://" + HOST + ":" + fleetRedisPort();
    }

    /**
     * lkfleet's Redis as {@code user}, with that user's password from {@code local.credentials}: its
     * first server (on a cluster, one master: a cluster client finds the others from it).
     */
    public String fleetRedisUri(String user) {
        return fleetRedisUri(user, fleetRedisPort());
    }

    /** One server of lkfleet's Redis ({@link #fleetRedisNodes()}) as {@code user}. */
    public String fleetRedisUri(String user, RedisNode server) {
        return fleetRedisUri(user, server.port());
    }

    /** Every server of lkfleet's Redis as {@code user}, comma-separated, as {@code quarkus.redis.hosts} takes them. */
    public String fleetRedisHosts(String user) {
        return String.join(",", fleetRedisNodes().stream().map(n -> fleetRedisUri(user, n)).toList());
    }

    private String fleetRedisUri(String user, int port) {
        String password = local.credentials().redisPasswords().get(user);
        if (password == null) {
            throw new IllegalArgumentException("no Redis password for user " + user + " in local.credentials.redis-passwords");
        }
        return "redis://" + URLEncoder.encode(user, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@" + HOST + ":" + port;
    }

    /**
     * The configuration the services run with: the fleet as they map it ({@code fleet.*}, ports
     * resolved), the credentials of their APIs, and where Kafka, lkfleet's Redis and the other
     * services are.
     */
    public Map<String, String> serviceProperties() {
        Map<String, String> props = new TreeMap<>();
        regions.values().forEach(r -> {
            String p = "fleet.regions." + r.name() + ".";
            FleetConfig.Region c = r.config();
            props.put(p + "livekit-url", r.livekitUrl());
            props.put(p + "api-key", r.apiKey());
            props.put(p + "api-secret", r.apiSecret());
            props.put(p + "redis", "redis://" + HOST + ":" + r.redisPort());
            props.put(p + "jurisdictions", String.join(",", c.jurisdictions()));
            props.put(p + "latitude", Double.toString(c.latitude()));
            props.put(p + "longitude", Double.toString(c.longitude()));
            props.put(p + "node-class", c.nodeClass());
            c.turnUrl().ifPresent(t -> props.put(p + "turn-url", t));
        });
        fleet.nodeClasses().forEach((name, nc) -> {
            props.put("fleet.node-classes." + name + ".max-subscriptions", Integer.toString(nc.maxSubscriptions()));
            props.put("fleet.node-classes." + name + ".egress-mbps", Integer.toString(nc.egressMbps()));
        });
        LocalConfig.Credentials credentials = local.credentials();
        props.put("router.admin-token", credentials.routerAdminToken());
        props.put("router.caller-token", credentials.routerCallerToken());
        props.put("capacity.admin-token", credentials.capacityAdminToken());
        local.browserOrigins().ifPresent(origins -> props.put("tokens.browser-origins", String.join(",", origins)));
        // each service picks the URI of its own Redis user (quarkus.redis.hosts in its application.properties)
        credentials.redisPasswords().keySet().stream().filter(services::containsKey)
                .forEach(user -> props.put("lkfleet.redis-uris." + user, fleetRedisHosts(user)));
        if (fleetRedisCluster()) {
            // Quarkus' cluster client: it reads the slot map from the hosts and sends each command to its slot's master
            props.put("quarkus.redis.client-type", "cluster");
        }
        props.put("kafka.bootstrap.servers", kafkaBootstrap());
        services.values().forEach(s -> props.put("lkfleet.services." + s.name() + ".url", s.url()));
        return props;
    }

    private int shift(int port) {
        return port + offset;
    }

    private String shiftUrl(String url) {
        URI uri = URI.create(url);
        if (uri.getPort() < 0) {
            throw new FleetStartException("URL " + url + " in the fleet file needs an explicit port");
        }
        return uri.getScheme() + "://" + HOST + ":" + shift(uri.getPort()) + (uri.getPath() == null ? "" : uri.getPath());
    }

    private static int port(String url, String key) {
        URI uri = URI.create(url);
        if (uri.getPort() < 0) {
            throw new FleetStartException(key + " (" + url + ") needs an explicit port");
        }
        return uri.getPort();
    }
}
