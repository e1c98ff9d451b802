package io.lkfleet.routing.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.DecisionRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A decision record that cannot reach Kafka never fails or holds up its join, and is counted
 * ({@code lkfleet_router_decisions_unpublished_total}) rather than lost without a trace. No broker
 * answers here: the records of the first moments are held until one does, those beyond are lost.
 */
class DecisionPublisherTests {
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DecisionPublisher publisher = new DecisionPublisher(
            Map.of("bootstrap.servers", "127.0.0.1:1"), "test", new ObjectMapper(), meters, vertx);

    @AfterEach
    void close() {
        publisher.close();
        vertx.close();
    }

    @Test
    void recordsBeyondWhatIsHeldUntilKafkaAnswersAreCounted() {
        assertEquals(0, unpublished(), "the counter exists from the start");
        for (int i = 0; i < DecisionPublisher.EARLY_RECORDS + 50; i++) {
            publisher.publish(new DecisionRecord(DecisionRecord.VERSION, 0, "room-" + i, DecisionRecord.ADMITTED,
                    DecisionPublisher.NEW_ROOM, "eu-west", "node-1", "tenant", "alice", "subscriber", 1, 10,
                    "geo", null));
        }
        assertEquals(50, unpublished());
        assertEquals(DecisionPublisher.EARLY_RECORDS + 50,
                meters.get("lkfleet.router.decisions").tag("outcome", DecisionRecord.ADMITTED).counter().count(),
                "every decision is counted, published or not");
    }

    private double unpublished() {
        return meters.get("lkfleet.router.decisions.unpublished").counter().count();
    }
}
