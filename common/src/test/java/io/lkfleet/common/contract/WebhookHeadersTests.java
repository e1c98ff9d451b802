package io.lkfleet.common.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The headers of {@code livekit.webhooks} records, as bytes on the wire. webhook-ingest's
 * {@code WebhookIngestTest} reads what its producer really wrote with {@link WebhookHeaders#read};
 * capacity-service's {@code WebhookConsumerTest} applies records carrying exactly these headers.
 */
class WebhookHeadersTests {

    private static RecordHeaders wire(String... namesAndValues) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    @Test
    void writerPutsTheVersionAndTheThreeHeadersOnTheWire() {
        RecordHeaders headers = new RecordHeaders(WebhookHeaders.of("eu-west", "participant_joined", "EV_1").toKafka());
        assertEquals(wire("lkfleet-version", "1", "lkfleet-region", "eu-west", "lkfleet-event", "participant_joined",
                "lkfleet-event-id", "EV_1"), headers);
    }

    @Test
    void readerReadsVersion1AndRecordsWrittenBeforeTheVersionHeaderExisted() {
        WebhookHeaders expected = new WebhookHeaders(1, "eu-west", "room_started", "EV_2");
        assertEquals(expected, WebhookHeaders.read(wire("lkfleet-version", "1", "lkfleet-region", "eu-west",
                "lkfleet-event", "room_started", "lkfleet-event-id", "EV_2")).orElseThrow());
        assertEquals(expected, WebhookHeaders.read(wire("lkfleet-region", "eu-west", "lkfleet-event", "room_started",
                "lkfleet-event-id", "EV_2")).orElseThrow(), "records from before the version header are still replayed");
    }

    @Test
    void readerRefusesRecordsItCannotUnderstand() {
        assertTrue(WebhookHeaders.read(wire("lkfleet-event", "room_started", "lkfleet-event-id", "EV_2")).isEmpty(),
                "no region");
        assertTrue(WebhookHeaders.read(wire("lkfleet-version", "2", "lkfleet-region", "eu-west", "lkfleet-event",
                "room_started", "lkfleet-event-id", "EV_2")).isEmpty(), "a newer version than this build knows");
        assertTrue(WebhookHeaders.read(wire("lkfleet-version", "x", "lkfleet-region", "eu-west", "lkfleet-event",
                "room_started", "lkfleet-event-id", "EV_2")).isEmpty(), "a version that is not a number");
    }
}
