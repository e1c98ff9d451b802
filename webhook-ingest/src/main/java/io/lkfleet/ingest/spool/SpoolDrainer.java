package io.lkfleet.ingest.spool;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.kafka.WebhookProducer;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Moves spooled events to Kafka, oldest first, once it takes records again. A batch is sent in
 * sequence order (the idempotent producer keeps that order per partition) and each event is deleted
 * from disk only after its own ack; what failed is sent again in a later round.
 */
@ApplicationScoped
public class SpoolDrainer {
    private static final Logger LOG = Logger.getLogger(SpoolDrainer.class);
    private static final Duration ROUND_INTERVAL = Duration.ofMillis(200);

    private final EventSpool spool;
    private final WebhookProducer producer;
    private final IngestConfig config;
    private List<EventSpool.Entry> inFlight = List.of();
    private List<CompletableFuture<Void>> acks = List.of();
    private final ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "webhook-spool-drainer");
        thread.setDaemon(true);
        return thread;
    });

    public SpoolDrainer(EventSpool spool, WebhookProducer producer, IngestConfig config) {
        this.spool = spool;
        this.producer = producer;
        this.config = config;
    }

    void start(@Observes StartupEvent startup) {
        if (spool.enabled()) {
            rounds.scheduleWithFixedDelay(this::drain, 0, ROUND_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * One round: settles the batch in flight, then sends the next, until the spool is empty or Kafka
     * refuses. A batch stays in flight across rounds until the producer decides each record (within
     * its delivery timeout), so an outage does not pile up copies of the same events in its buffer.
     */
    void drain() {
        try {
            while (settle()) {
                // While Kafka is down, probe with one event instead of a whole batch.
                inFlight = spool.oldest(producer.available() ? config.spool().drainBatch() : 1);
                if (inFlight.isEmpty()) {
                    return;
                }
                acks = inFlight.stream().map(e -> producer.produce(e.region(), e.event(), e.body())).toList();
            }
        } catch (RuntimeException e) {
            LOG.warnf("spool drain paused with %d events left: %s", spool.size(), e.getMessage());
        }
    }

    /** True once the batch in flight is fully acked (or there is none); acked events leave the spool. */
    private boolean settle() {
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(config.produceTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // Some failed: keep those for the next batch, drop the ones Kafka has.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        boolean all = true;
        for (int i = 0; i < inFlight.size(); i++) {
            if (acks.get(i).isCompletedExceptionally()) {
                all = false;
            } else {
                spool.remove(inFlight.get(i).seq());
            }
        }
        inFlight = List.of();
        acks = List.of();
        return all;
    }

    @PreDestroy
    void stop() {
        rounds.shutdownNow();
    }
}
