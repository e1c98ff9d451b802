package io.lkfleet.capacity.listener;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

/**
 * Makes sure the consumer's dead-letter topic exists before the first record could need it: lkfleet's
 * brokers do not auto-create topics, and a nack towards a missing topic would hold the partition.
 */
@ApplicationScoped
public class DeadLetterTopic {
    private static final Logger LOG = Logger.getLogger(DeadLetterTopic.class);

    private final Map<String, Object> kafka;

    /** {@code kafka}: every {@code kafka.*} setting (brokers and, in production, SASL/TLS). */
    public DeadLetterTopic(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.kafka = kafka;
    }

    void ensure(@Observes StartupEvent start) {
        try (Admin admin = Admin.create(kafka)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(WebhookListener.DEAD_LETTER_TOPIC)) {
                admin.createTopics(List.of(new NewTopic(WebhookListener.DEAD_LETTER_TOPIC, Optional.of(1), Optional.empty())))
                        .all().get(30, TimeUnit.SECONDS);
                LOG.infof("created dead-letter topic %s", WebhookListener.DEAD_LETTER_TOPIC);
            }
        } catch (Exception e) {
            // a concurrent creation by another instance also lands here; the topic is what matters
            LOG.warnf("cannot make sure dead-letter topic %s exists: %s", WebhookListener.DEAD_LETTER_TOPIC, e.getMessage());
        }
    }
}
