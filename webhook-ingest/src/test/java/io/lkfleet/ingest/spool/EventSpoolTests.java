package io.lkfleet.ingest.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on a real directory: what was appended survives a restart, in order, until removed. */
class EventSpoolTests {
    @TempDir
    Path dir;

    private EventSpool open(int maxEvents) {
        IngestConfig config = new SmallRyeConfigBuilder().withMapping(IngestConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("ingest.spool.dir", dir.toString(),
                        "ingest.spool.max-events", Integer.toString(maxEvents)), "test", 400))
                .build().getConfigMapping(IngestConfig.class);
        return new EventSpool(config, new WebhookMetrics(new SimpleMeterRegistry()));
    }

    private static ParsedEvent event(String id, String room) {
        return new ParsedEvent("participant_joined", id, "eu-west/" + room);
    }

    @Test
    void survivesARestartInOrderAndForgetsWhatWasRemoved() throws Exception {
        EventSpool spool = open(100);
        for (String id : List.of("EV_1", "EV_2", "EV_3")) {
            assertTrue(spool.append("eu-west", event(id, id.equals("EV_2") ? "b" : "a"), id.getBytes(StandardCharsets.UTF_8)));
        }
        Files.writeString(dir.resolve("99.tmp"), "torn write of an event never answered 200");

        EventSpool restarted = open(100);
        assertEquals(3, restarted.size());
        assertFalse(Files.exists(dir.resolve("99.tmp")));
        List<EventSpool.Entry> entries = restarted.oldest(10);
        assertEquals(List.of("EV_1", "EV_2", "EV_3"), entries.stream().map(e -> e.event().id()).toList());
        assertEquals("eu-west/b", entries.get(1).event().key());
        assertArrayEquals("EV_3".getBytes(StandardCharsets.UTF_8), entries.get(2).body());
        assertTrue(restarted.holds("eu-west/a"));

        restarted.remove(entries.get(0).seq());
        assertTrue(restarted.holds("eu-west/a"), "EV_3 still waits for room a");
        restarted.remove(entries.get(2).seq());
        assertFalse(restarted.holds("eu-west/a"));
        // New events number after the old ones, so order holds across restarts.
        assertTrue(restarted.append("eu-west", event("EV_4", "b"), new byte[] {1}));
        assertEquals(List.of("EV_2", "EV_4"), restarted.oldest(10).stream().map(e -> e.event().id()).toList());
    }

    @Test
    void refusesWhenFull() {
        EventSpool spool = open(2);
        assertTrue(spool.append("eu-west", event("EV_1", "a"), new byte[] {1}));
        assertTrue(spool.append("eu-west", event("EV_2", "a"), new byte[] {2}));
        assertFalse(spool.append("eu-west", event("EV_3", "a"), new byte[] {3}));
        assertEquals(2, spool.size());
    }
}
