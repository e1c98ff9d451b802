package io.lkfleet.local;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real Apache Kafka broker (KRaft, broker+controller in one process) from the Maven Central jars
 * collected by {@code deploy/local-kafka}. Its data survives {@link #stop()}/{@link #start()}, so a
 * restart test sees the same log.
 */
public final class KafkaBroker {
    /**
     * Room for webhook-ingest's largest accepted body (1 MiB) plus key and headers: a body the
     * service accepts must never be refused by the topic.
     */
    private static final Map<String, String> TOPIC_CONFIG = Map.of("max.message.bytes", "2097152");

    private final FleetLayout layout;
    private final RunDir runDir;
    private final Path libDir;
    private final Path dataDir;
    private final Path properties;
    private ManagedProcess process;

    KafkaBroker(FleetLayout layout, RunDir runDir, Path repoRoot) {
        this.layout = layout;
        this.runDir = runDir;
        this.libDir = repoRoot.resolve("deploy/local-kafka/target/lib");
        this.dataDir = runDir.data().resolve("kafka");
        this.properties = runDir.root().resolve("kafka.properties");
    }

    /** Formats the log directory on first use, starts the broker and waits until it answers. */
    public void start() {
        if (!Files.isDirectory(libDir)) {
            throw new FleetStartException("Kafka broker jars missing in " + libDir
                    + "; build them with: mvn -q -pl deploy/local-kafka install");
        }
        String controller = FleetLayout.HOST + ":" + layout.kafkaControllerPort();
        runDir.writePrivate("kafka.properties", String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=" + controller,
                "listeners=PLAINTEXT://" + layout.kafkaBootstrap() + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://" + layout.kafkaBootstrap(),
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=" + layout.local().kafka().webhookPartitions(),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""));
        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            format();
        }
        process = ManagedProcess.start("kafka", List.of(javaBin(), "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", libDir + "/*", "kafka.Kafka", properties.toString()), runDir, Map.of());
        Await.until("Kafka broker on " + layout.kafkaBootstrap(), Await.PROCESS_START, () -> {
            process.requireAlive();
            return answers();
        });
    }

    /**
     * Creates the design's topics (design §3) unless they exist; {@code compacted} ones keep only the
     * latest record per key (state, not history).
     */
    public void createTopics(Map<String, Integer> partitionsByTopic, Set<String> compacted) {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = partitionsByTopic.entrySet().stream()
                    .filter(e -> !existing.contains(e.getKey()))
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1).configs(compacted.contains(e.getKey())
                            ? Map.of("max.message.bytes", TOPIC_CONFIG.get("max.message.bytes"), "cleanup.policy", "compact")
                            : TOPIC_CONFIG))
                    .toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new FleetStartException("cannot create Kafka topics " + partitionsByTopic.keySet() + ": " + e.getMessage(), e);
        }
    }

    /** Clean shutdown, as an operator's restart would do. */
    public void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
        }
    }

    /** SIGKILL: the broker dies mid-flight. */
    public void kill() {
        if (process != null) {
            process.kill();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public ManagedProcess process() {
        return process;
    }

    private void format() {
        String clusterId = base64Uuid();
        ManagedProcess format = ManagedProcess.start("kafka-format", List.of(javaBin(), "-cp", libDir + "/*",
                "kafka.tools.StorageTool", "format",
                // "=" form: a random id may start with "-", which would otherwise read as an option
                "--cluster-id=" + clusterId, "--config", properties.toString(), "--standalone"),
                runDir, Map.of());
        Await.until("Kafka storage format (" + clusterId + ")", Duration.ofSeconds(60), () -> !format.isAlive());
        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            throw new FleetStartException("formatting Kafka's log directory failed; see " + format.log() + ":\n"
                    + ManagedProcess.tail(format.log(), 10));
        }
    }

    /** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
    private static String base64Uuid() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private boolean answers() {
        try (Admin admin = admin()) {
            return admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size() == 1;
        } catch (Exception e) {
            return false;
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, layout.kafkaBootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return Admin.create(props);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
