package io.lkfleet.ingest.service;

import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.kafka.WebhookProducer;
import io.lkfleet.ingest.spool.EventSpool;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Where a verified event goes before the 200: straight to Kafka when it takes records, else into the
 * local spool, and into the spool as well whenever older events of the same room still wait there.
 * Only when neither can hold it does the request fail with 503, which LiveKit retries. Nothing here
 * parks a thread on Kafka's ack; the spool's fsync and a possibly blocking send run on worker threads.
 */
@Singleton
public class EventStore {
    private final WebhookProducer producer;
    private final EventSpool spool;

    public EventStore(WebhookProducer producer, EventSpool spool) {
        this.producer = producer;
        this.spool = spool;
    }

    /** Succeeds once the event is in Kafka or fsynced in the spool. */
    public CompletableFuture<Void> store(String region, ParsedEvent event, byte[] body) {
        // Kafka known to be down: spool at once rather than make LiveKit wait out the produce timeout.
        if (spool.holds(event.key()) || (spool.enabled() && !producer.available())) {
            return spool(region, event, body);
        }
        CompletableFuture<Void> sent = producer.nonBlocking() ? producer.send(region, event, body)
                : CompletableFuture.supplyAsync(() -> producer.send(region, event, body), Infrastructure.getDefaultWorkerPool())
                        .thenCompose(Function.identity());
        return sent.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return spool.enabled() && cause instanceof WebhookRejectedException rejected
                    && rejected.reason() == Reason.KAFKA_UNAVAILABLE ? spool(region, event, body)
                    : CompletableFuture.failedFuture(cause);
        });
    }

    private CompletableFuture<Void> spool(String region, ParsedEvent event, byte[] body) {
        return CompletableFuture.supplyAsync(() -> {
            if (!spool.append(region, event, body)) {
                throw new WebhookRejectedException(Reason.KAFKA_UNAVAILABLE, region, event.type());
            }
            return null;
        }, Infrastructure.getDefaultWorkerPool());
    }
}
