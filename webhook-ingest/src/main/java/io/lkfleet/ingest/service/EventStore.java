package io.lkfleet.ingest.service;

import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.kafka.WebhookProducer;
import io.lkfleet.ingest.spool.EventSpool;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Where a verified event goes before the 200: straight to Kafka when it takes records, else into the
 * local spool, and into the spool as well whenever older events of the same room still wait there.
 * Only when neither can hold it does the request fail with 503, which LiveKit retries.
 */
@ApplicationScoped
public class EventStore {
    private final WebhookProducer producer;
    private final EventSpool spool;

    public EventStore(WebhookProducer producer, EventSpool spool) {
        this.producer = producer;
        this.spool = spool;
    }

    /** Returns once the event is in Kafka or fsynced in the spool. */
    public void store(String region, ParsedEvent event, byte[] body) {
        // Kafka known to be down: spool at once rather than make LiveKit wait out the produce timeout.
        if (spool.holds(event.key()) || (spool.enabled() && !producer.available())) {
            spool(region, event, body);
            return;
        }
        try {
            producer.send(region, event, body);
        } catch (WebhookRejectedException e) {
            if (e.reason() != Reason.KAFKA_UNAVAILABLE || !spool.enabled()) {
                throw e;
            }
            spool(region, event, body);
        }
    }

    private void spool(String region, ParsedEvent event, byte[] body) {
        if (!spool.append(region, event, body)) {
            throw new WebhookRejectedException(Reason.KAFKA_UNAVAILABLE, region, event.type());
        }
    }
}
