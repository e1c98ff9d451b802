package io.lkfleet.ingest.health;

import io.lkfleet.ingest.kafka.WebhookProducer;
import io.lkfleet.ingest.spool.EventSpool;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while a webhook can be made durable before its 200: Kafka's broker answers, or the spool is
 * on and has room. Kafka down with the spool on is still ready (events wait on disk); with the spool
 * off it is not, so traffic goes to a replica that can take it. The broker is asked directly rather
 * than judged from the producer's last record, which says nothing while no webhooks arrive.
 */
@Readiness
@ApplicationScoped
public class DurabilityReadiness implements AsyncHealthCheck {
    public static final String NAME = "webhook durability";
    private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(1);

    private final Admin admin;
    private final WebhookProducer producer;
    private final EventSpool spool;

    public DurabilityReadiness(@Identifier("default-kafka-broker") Map<String, Object> kafka, WebhookProducer producer,
            EventSpool spool) {
        this.admin = Admin.create(kafka.entrySet().stream()
                .filter(e -> AdminClientConfig.configNames().contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        this.producer = producer;
        this.spool = spool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        int timeoutMs = (int) BROKER_TIMEOUT.toMillis();
        return Uni.createFrom().completionStage(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                        .nodes().toCompletionStage())
                .map(nodes -> !nodes.isEmpty())
                .onFailure().recoverWithItem(false)
                .map(this::response);
    }

    private HealthCheckResponse response(boolean brokerUp) {
        int spooled = spool.size();
        boolean spoolHasRoom = spool.enabled() && spooled < spool.capacity();
        return HealthCheckResponse.named(NAME)
                .status(brokerUp || spoolHasRoom)
                .withData("kafka", brokerUp ? "up" : "down")
                .withData("producer", producer.available() ? "taking records" : "last record failed")
                .withData("spool", !spool.enabled() ? "off" : spoolHasRoom ? "has room" : "full")
                .withData("spooled", spooled)
                .withData("spool-capacity", spool.enabled() ? spool.capacity() : 0)
                .build();
    }

    @PreDestroy
    void close() {
        admin.close(BROKER_TIMEOUT);
    }
}
