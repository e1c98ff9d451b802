package io.lkfleet.local;

import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.registry.LiveKitRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The one-machine fleet, started for real: lkfleet's Redis, one Redis per LiveKit region, a Kafka
 * broker, the livekit-server nodes of every region and (optionally) the packaged services. The
 * command-line runner and the integration tests both start it through this class.
 */
public final class LocalFleet implements AutoCloseable {
    /** Every service module, in the order they start. */
    public static final List<String> SERVICES = List.of("capacity-service", "region-router", "webhook-ingest",
            "token-service");
    /** lkfleet's own Redis, beside the regions' {@code redis-<region>}. */
    public static final String FLEET_REDIS = "redis-fleet";
    /**
     * The native-memory settings of the services' JVM image (deploy/docker/Dockerfile.jvm), so the local
     * fleet and the soak run the services as production does: glibc keeps the C heap that C2 compilations
     * borrow for a moment (arena spikes of ~20 MB) in up to 8 arenas per core, and RSS climbs in steps for
     * hours (bench/results/2026-12-03-soak.md). Two arenas, and the JVM trims the C heap every 10 s.
     */
    static final Map<String, String> SERVICE_ENV = Map.of("MALLOC_ARENA_MAX", "2");
    static final String TRIM_NATIVE_HEAP = "-XX:TrimNativeHeapInterval=10000";

    private final Options options;
    private final FleetLayout layout;
    private final RunDir runDir;
    private final Vertx vertx = Vertx.vertx();
    private final Map<String, ManagedProcess> redis = new LinkedHashMap<>();
    private final Map<String, LiveKitRegistry> registries = new LinkedHashMap<>();
    private final Map<String, LiveKitNode> nodes = new LinkedHashMap<>();
    /** Service processes by instance name (the service's name for its first or only instance). */
    private final Map<String, ManagedProcess> services = new LinkedHashMap<>();
    private final List<ServiceBalancer> balancers = new ArrayList<>();
    private final KafkaBroker kafka;
    private final Path runtimeProperties;
    private Map<String, FleetLayout.RedisNode> fleetRedisMasters = Map.of();
    private JoinProbe probe;
    private PrometheusServer prometheus;

    private LocalFleet(Options options, FleetLayout layout, RunDir runDir) {
        this.options = options;
        this.layout = layout;
        this.runDir = runDir;
        this.kafka = new KafkaBroker(layout, runDir, options.repoRoot);
        this.runtimeProperties = runDir.root().resolve("fleet-runtime.properties");
    }

    /** Starts everything {@code options} asks for and waits until all of it is healthy. */
    public static LocalFleet start(Options options) {
        int offset = options.freePorts ? findFreeOffset(options) : options.portOffset;
        FleetLayout layout = FleetLayout.read(options.fleetFile, options.overrides, offset);
        RunDir runDir = RunDir.create(options.runDir);
        // A runner that crashed left its servers running: end them before checking ports.
        ManagedProcess.killLeftovers(runDir);
        requirePortsFree(layout);
        deleteRecursively(runDir.data());
        RunDir.create(options.runDir);
        LocalFleet fleet = new LocalFleet(options, layout, runDir);
        try {
            fleet.startAll();
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    private void startAll() {
        layout.fleetRedisNodes().forEach(server -> startRedis(server.name(), server.port()));
        if (layout.fleetRedisCluster()) {
            fleetRedisMasters = FleetRedisCluster.form(vertx, layout);
        }
        layout.regions().values().forEach(r -> startRedis("redis-" + r.name(), r.redisPort()));
        kafka.start();
        // fleet.admin-state: a handful of operator decisions, one partition keeps them in one order
        kafka.createTopics(Map.of(Topics.WEBHOOKS, layout.local().kafka().webhookPartitions(),
                Topics.DECISIONS, layout.local().kafka().decisionPartitions(), Topics.ADMIN_STATE, 1),
                Set.of(Topics.ADMIN_STATE));
        if (options.liveKit) {
            layout.nodes().values().forEach(n -> startNode(n.name()));
        }
        runDir.writePrivate(runtimeProperties.getFileName().toString(), toProperties(serviceProperties()));
        options.services.forEach(this::launchService);
        options.services.forEach(this::awaitService);
        startObservers();
    }

    /** The join probe (needs token-service and LiveKit) and Prometheus, when asked for and configured. */
    private void startObservers() {
        if (options.observed && layout.local().probe().isPresent() && services.containsKey("token-service")
                && !nodes.isEmpty()) {
            probe = JoinProbe.start(layout, runDir, options.repoRoot);
        }
        if (options.observed && layout.local().prometheus().isPresent()) {
            prometheus = PrometheusServer.start(layout, runDir, options.repoRoot, new PrometheusServer.Targets(
                    services.keySet().stream().map(layout.services()::get).toList(),
                    nodes.values().stream().map(LiveKitNode::spec).toList(),
                    probe == null ? OptionalInt.empty() : layout.probeMetricsPort()), options.alertsFor);
        }
    }

    private void startRedis(String name, int port) {
        Path dir = runDir.data().resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FleetStartException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of(redisServerBinary(), "--port", Integer.toString(port),
                "--bind", FleetLayout.HOST, "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--protected-mode", "no"));
        Optional<FleetLayout.RedisNode> fleetRedis = layout.fleetRedisNodes().stream()
                .filter(server -> server.name().equals(name)).findFirst();
        if (fleetRedis.isPresent()) {
            // lkfleet's Redis requires its users, as in production (the regions' Redis are LiveKit's)
            command.addAll(List.of("--aclfile", redisUsersFile().toString()));
            if (layout.fleetRedisCluster()) {
                command.addAll(FleetRedisCluster.serverArguments(fleetRedis.get()));
            }
        }
        ManagedProcess process = ManagedProcess.start(name, command, runDir, Map.of());
        redis.put(name, process);
        // every Redis of the fleet answers PING through the registry reader; only a region's Redis has LiveKit's keys
        String uri = fleetRedis.map(server -> layout.fleetRedisUri(RedisUsers.ADMIN, server))
                .orElse("redis://" + FleetLayout.HOST + ":" + port);
        LiveKitRegistry probe = new LiveKitRegistry(vertx, name, uri, layout.fleet().registry());
        Await.until(name + " on port " + port, Await.PROCESS_START, () -> {
            process.requireAlive();
            return probe.ping();
        });
        registries.put(name, probe);
    }

    /** The ACL file with this fleet's Redis passwords (as hashes), written into the run directory. */
    private Path redisUsersFile() {
        Path template = options.repoRoot.resolve(RedisUsers.ACL_FILE);
        try {
            return runDir.writePrivate("lkfleet-redis-users.acl",
                    RedisUsers.render(Files.readString(template), layout.local().credentials().redisPasswords()));
        } catch (IOException e) {
            throw new FleetStartException("cannot read " + template + ": " + e.getMessage(), e);
        }
    }

    /** Starts (or restarts) one livekit-server node by its name in the fleet file. */
    public LiveKitNode startNode(String name) {
        FleetLayout.Node spec = layout.nodes().get(name);
        FleetLayout.Region region = layout.regions().get(spec.region());
        LiveKitNode node = new LiveKitNode(spec, region, runDir, options.liveKitBinary, registry(region.name()),
                webhookUrls(), layout.local().departureTimeoutSeconds());
        node.start();
        nodes.put(name, node);
        return node;
    }

    private List<String> webhookUrls() {
        if (!options.webhookUrls.isEmpty()) {
            return options.webhookUrls;
        }
        FleetLayout.Service ingest = layout.services().get("webhook-ingest");
        return ingest == null ? List.of() : List.of(ingest.url() + "/webhook");
    }

    private void launchService(String name) {
        FleetLayout.Service service = layout.services().get(name);
        if (service == null) {
            throw new FleetStartException("service " + name + " has no entry in local.services of " + options.fleetFile);
        }
        service.instances().forEach(instance -> launchInstance(name, instance));
        if (service.balanced()) {
            ServiceBalancer balancer = new ServiceBalancer(vertx, name, service.port(),
                    service.instances().stream().map(FleetLayout.Instance::port).toList());
            balancer.start();
            balancers.add(balancer);
        }
    }

    private void launchInstance(String service, FleetLayout.Instance instance) {
        Path jar = options.repoRoot.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new FleetStartException(service + " is not built (" + jar + " missing); run: mvn -q -DskipTests package");
        }
        // Each instance works in its own directory: local state such as webhook-ingest's spool is per pod.
        Path workDir = runDir.data().resolve(instance.name());
        services.put(instance.name(), ManagedProcess.start(instance.name(), List.of(KafkaBroker.javaBin(), "-Xmx256m",
                "-XX:+UseSerialGC", TRIM_NATIVE_HEAP, "-Dquarkus.http.port=" + instance.port(),
                "-Dquarkus.http.host=" + FleetLayout.HOST, "-Dquarkus.config.locations=" + runtimeProperties.toUri(), "-jar",
                jar.toString()), runDir, SERVICE_ENV, workDir));
    }

    private void awaitService(String name) {
        layout.services().get(name).instances().forEach(this::awaitInstance);
    }

    private void awaitInstance(FleetLayout.Instance instance) {
        ManagedProcess process = services.get(instance.name());
        String ready = instance.url() + "/q/health/ready";
        Await.until(instance.name() + " readiness (" + ready + ")", Await.PROCESS_START, () -> {
            process.requireAlive();
            return Http.getStatus(ready) == 200;
        });
    }

    /**
     * Starts again an instance that was stopped or killed ({@code token-service}, {@code token-service-2}…)
     * and waits until it is ready; its balancer hands it requests again by itself.
     */
    public ManagedProcess restartInstance(String instanceName) {
        for (FleetLayout.Service service : layout.services().values()) {
            for (FleetLayout.Instance instance : service.instances()) {
                if (instance.name().equals(instanceName)) {
                    launchInstance(service.name(), instance);
                    awaitInstance(instance);
                    return services.get(instanceName);
                }
            }
        }
        throw new IllegalArgumentException("no service instance " + instanceName);
    }

    /**
     * Starts again every service instance that is no longer running (killed or stopped), all at once
     * (instances start faster side by side than one after another), and waits until each is ready;
     * returns their names.
     */
    public List<String> restartStoppedInstances() {
        List<FleetLayout.Instance> stopped = new ArrayList<>();
        for (String service : options.services) {
            for (FleetLayout.Instance instance : layout.services().get(service).instances()) {
                ManagedProcess process = services.get(instance.name());
                if (process == null || !process.isAlive()) {
                    launchInstance(service, instance);
                    stopped.add(instance);
                }
            }
        }
        stopped.forEach(this::awaitInstance);
        return stopped.stream().map(FleetLayout.Instance::name).toList();
    }

    /** The configuration a service needs to join this fleet (also handed to {@code @QuarkusTest}s). */
    public Map<String, String> serviceProperties() {
        Map<String, String> props = new LinkedHashMap<>(layout.serviceProperties());
        props.put("tokens.tenants-file", options.tenantsFile.toString());
        if (options.observed) {
            layout.prometheusPort().ifPresent(p -> props.put("capacity.console.prometheus-url",
                    "http://" + FleetLayout.HOST + ":" + p));
        }
        return props;
    }

    public FleetLayout layout() {
        return layout;
    }

    public RunDir runDir() {
        return runDir;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public Map<String, LiveKitNode> nodes() {
        return nodes;
    }

    public LiveKitNode node(String name) {
        return Optional.ofNullable(nodes.get(name)).orElseThrow(() -> new IllegalArgumentException("no node " + name));
    }

    /** LiveKit's registry in the Redis of {@code region}. */
    public LiveKitRegistry registry(String region) {
        return Optional.ofNullable(registries.get("redis-" + region))
                .orElseThrow(() -> new IllegalArgumentException("no region " + region));
    }

    public Map<String, ManagedProcess> services() {
        return services;
    }

    /** The fleet's Prometheus, when started ({@link Options#observed()}). */
    public Optional<PrometheusServer> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    /** The synthetic join probe, when started ({@link Options#observed()}). */
    public Optional<JoinProbe> probe() {
        return Optional.ofNullable(probe);
    }

    /**
     * The master of each region's hash slot when lkfleet's Redis is a cluster ({@code local.fleet-redis-masters});
     * empty when it is one server.
     */
    public Map<String, FleetLayout.RedisNode> fleetRedisMasters() {
        return fleetRedisMasters;
    }

    /** Stops a Redis instance ({@code redis-fleet} or {@code redis-<region>}) to test outages. */
    public void stopRedis(String name) {
        redis.get(name).stop(Duration.ofSeconds(10));
    }

    /** Starts a Redis instance stopped with {@link #stopRedis}: it comes back empty. */
    public void restartRedis(String name) {
        int port = layout.fleetRedisNodes().stream().filter(server -> server.name().equals(name))
                .mapToInt(FleetLayout.RedisNode::port).findFirst()
                .orElseGet(() -> layout.regions().get(name.substring("redis-".length())).redisPort());
        registries.remove(name).close();
        startRedis(name, port);
    }

    /** What runs where, for people. */
    public String describe() {
        StringBuilder table = new StringBuilder();
        String row = "%-26s %-28s %s%n";
        table.append(String.format(row, "COMPONENT", "ADDRESS", "DETAILS"));
        table.append(String.format(row, "kafka", layout.kafkaBootstrap(), "topics " + Topics.WEBHOOKS + " ("
                + layout.local().kafka().webhookPartitions() + " partitions), " + Topics.DECISIONS + " ("
                + layout.local().kafka().decisionPartitions() + "), " + Topics.ADMIN_STATE + " (1, compacted)"));
        table.append(String.format(row, "redis fleet", layout.fleetRedisUri(), "lkfleet's keys (fleet:{region}:...);"
                + " ACL users of " + RedisUsers.ACL_FILE + ", passwords in the environment"));
        fleetRedisMasters.forEach((region, master) -> table.append(String.format(row, "  cluster master " + master.name(),
                "redis://" + FleetLayout.HOST + ":" + master.port(), "holds region " + region + "'s slot")));
        layout.regions().values().forEach(r -> table.append(String.format(row, "redis " + r.name(),
                "redis://" + FleetLayout.HOST + ":" + r.redisPort(), "LiveKit registry of region " + r.name())));
        nodes.values().forEach(n -> table.append(String.format(row, "livekit " + n.spec().name(), n.spec().url(),
                "region " + n.region() + ", node " + n.nodeId() + ", rtc tcp " + n.spec().rtcTcpPort() + " udp "
                        + n.spec().rtcUdpPort() + ", metrics :" + n.spec().prometheusPort())));
        options.services.forEach(name -> {
            FleetLayout.Service s = layout.services().get(name);
            if (s.balanced()) {
                table.append(String.format(row, name, s.url(), "balancer over " + s.instances().size() + " instances"));
                s.instances().forEach(i -> table.append(String.format(row, "  " + i.name(), i.url(),
                        "health /q/health, metrics /q/metrics")));
            } else {
                table.append(String.format(row, name, s.url(), "health /q/health, metrics /q/metrics, OpenAPI /q/openapi"));
            }
        });
        if (probe != null) {
            table.append(String.format(row, "join probe", "http://" + FleetLayout.HOST + ":"
                    + layout.probeMetricsPort().orElseThrow(), "joins every region every "
                    + layout.local().probe().orElseThrow().intervalSeconds() + " s; metrics /metrics (lkfleet_probe_*)"));
        }
        if (prometheus != null) {
            table.append(String.format(row, "prometheus", prometheus.url(), "scrapes all of the above every "
                    + layout.local().prometheus().orElseThrow().scrapeIntervalSeconds()
                    + " s; alerts: " + prometheus.url() + "/alerts"));
        }
        table.append(System.lineSeparator()).append("API keys (secrets are in the environment, never printed):")
                .append(System.lineSeparator());
        layout.regions().values().forEach(r -> table.append(String.format("  %-12s url %-24s key %s%n", r.name(),
                r.livekitUrl(), r.apiKey())));
        table.append("Logs: ").append(runDir.logs()).append(System.lineSeparator());
        return table.toString();
    }

    /** Stops everything, services first, and waits for every process to end. */
    @Override
    public void close() {
        if (prometheus != null) {
            prometheus.stop();
        }
        if (probe != null) {
            probe.stop();
        }
        balancers.forEach(ServiceBalancer::close);
        services.values().forEach(p -> p.stop(Duration.ofSeconds(20)));
        nodes.values().forEach(n -> n.stop(Duration.ofSeconds(5)));
        kafka.stop();
        registries.values().forEach(LiveKitRegistry::close);
        redis.values().forEach(p -> p.stop(Duration.ofSeconds(10)));
        vertx.close();
    }

    private static String toProperties(Map<String, String> props) {
        return props.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                .collect(Collectors.joining("\n", "# generated by the lkfleet local runner; holds secrets\n", "\n"));
    }

    private static String redisServerBinary() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return dir + "/redis-server";
            }
        }
        throw new FleetStartException("redis-server not found; install it with: apt-get install -y redis-server");
    }

    private static void requirePortsFree(FleetLayout layout) {
        List<String> taken = new ArrayList<>();
        layout.allPorts().forEach((what, port) -> {
            if (!portFree(port)) {
                taken.add("port " + port + " (" + what + ") is already in use");
            }
        });
        if (!taken.isEmpty()) {
            throw new FleetStartException("cannot start the fleet:\n  - " + String.join("\n  - ", taken)
                    + "\n  stop what holds them, or move the fleet with --port-offset N");
        }
    }

    /** A random offset at which every port of the fleet is free, so concurrent runs do not collide. */
    private static int findFreeOffset(Options options) {
        FleetLayout probe = FleetLayout.read(options.fleetFile, options.overrides, 0);
        for (int attempt = 0; attempt < 50; attempt++) {
            // below 60000 for every fleet port: the test network namespace gives client sockets 60000 and up
            int offset = 1000 * ThreadLocalRandom.current().nextInt(10, 40);
            if (probe.allPorts().values().stream().allMatch(p -> portFree(p + offset))) {
                return offset;
            }
        }
        throw new FleetStartException("found no free port range for the fleet after 50 tries");
    }

    private static boolean portFree(int port) {
        if (port > 65535) {
            return false; // a random offset can push the highest ports of the fleet out of range
        }
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(FleetLayout.HOST))) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new FleetStartException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What to start, and where. */
    public static final class Options {
        private Path repoRoot = findRepoRoot();
        private Path fleetFile = repoRoot.resolve("deploy/local/fleet.yaml");
        private Path runDir = repoRoot.resolve("deploy/local/.run");
        private Path liveKitBinary = defaultLiveKitBinary();
        private Path tenantsFile = repoRoot.resolve("deploy/local/tenants.yaml");
        private Map<String, String> overrides = Map.of();
        private int portOffset;
        private boolean freePorts;
        private boolean liveKit = true;
        private List<String> services = List.of();
        private List<String> webhookUrls = List.of();
        private boolean observed;
        private Optional<Duration> alertsFor = Optional.empty();

        public Options fleetFile(Path file) {
            this.fleetFile = file;
            return this;
        }

        public Options runDir(Path dir) {
            this.runDir = dir;
            return this;
        }

        /** token-service's tenants file; by default the dev fleet's. */
        public Options tenantsFile(Path file) {
            this.tenantsFile = file;
            return this;
        }

        /** Config values that win over the fleet file and the environment. */
        public Options overrides(Map<String, String> values) {
            this.overrides = values;
            return this;
        }

        public Options portOffset(int offset) {
            this.portOffset = offset;
            return this;
        }

        /** Moves all ports by a random offset at which they are all free. */
        public Options freePorts() {
            this.freePorts = true;
            return this;
        }

        public Options withoutLiveKit() {
            this.liveKit = false;
            return this;
        }

        /** Service modules to start from their packaged jars (see {@link #SERVICES}). */
        public Options services(List<String> names) {
            this.services = List.copyOf(names);
            return this;
        }

        /** Where LiveKit posts webhooks; by default the fleet's webhook-ingest. */
        public Options webhookUrls(List<String> urls) {
            this.webhookUrls = List.copyOf(urls);
            return this;
        }

        /** Also starts the join probe and Prometheus (local.probe, local.prometheus of the fleet file). */
        public Options observed() {
            this.observed = true;
            return this;
        }

        /** Prometheus evaluates the alert rules with every {@code for:} set to this (tests wait less). */
        public Options alertsFor(Duration duration) {
            this.alertsFor = Optional.of(duration);
            return this;
        }

        public Path repoRoot() {
            return repoRoot;
        }

        public Path fleetFile() {
            return fleetFile;
        }

        public Path runDir() {
            return runDir;
        }

        private static Path findRepoRoot() {
            String configured = System.getProperty("lkfleet.root");
            if (configured != null) {
                return Path.of(configured).toAbsolutePath().normalize();
            }
            Path dir = Path.of("").toAbsolutePath();
            while (dir != null && !Files.exists(dir.resolve("deploy/local/fleet.yaml"))) {
                dir = dir.getParent();
            }
            if (dir == null) {
                throw new FleetStartException("cannot find the lkfleet checkout (deploy/local/fleet.yaml) above "
                        + Path.of("").toAbsolutePath() + "; set -Dlkfleet.root");
            }
            return dir;
        }

        private static Path defaultLiveKitBinary() {
            String configured = System.getenv("LKFLEET_LIVEKIT_BIN");
            if (configured != null && !configured.isBlank()) {
                return Path.of(configured);
            }
            return cacheDir().resolve("bin/livekit-server-v1.13.5");
        }

        static Path cacheDir() {
            String configured = System.getenv("LKFLEET_CACHE");
            return configured != null && !configured.isBlank() ? Path.of(configured)
                    : Path.of(System.getProperty("user.home"), ".cache", "lkfleet");
        }
    }
}
