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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on a real directory: what was appended survives a restart, in order, until removed. */
class EventSpoolTests {
    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private EventSpool open(int maxEvents) {
        IngestConfig config = new SmallRyeConfigBuilder().withMapping(IngestConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("ingest.spool.dir", dir.toString(),
                        "ingest.spool.max-events", Integer.toString(maxEvents)), "test", 400))
                .build().getConfigMapping(IngestConfig.class);
        return new EventSpool(config, new WebhookMetrics(meters));
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

    @Test
    void oddOrCorruptFilesAreMovedAsideAtStartAndTheRestLoads() throws Exception {
        EventSpool spool = open(100);
        assertTrue(spool.append("eu-west", event("EV_1", "a"), "one".getBytes(StandardCharsets.UTF_8)));
        assertTrue(spool.append("eu-west", event("EV_2", "b"), "two".getBytes(StandardCharsets.UTF_8)));
        byte[] good = Files.readAllBytes(dir.resolve("1.event"));
        Files.write(dir.resolve("7.event"), Arrays.copyOf(good, good.length - 2)); // torn body
        Files.write(dir.resolve("8.event"), new byte[] {0, 0, 0, 9, 1, 2}); // unknown format
        Files.write(dir.resolve("9.event"), new byte[0]);
        Files.write(dir.resolve("10.event"), Arrays.copyOf(good, good.length + 5)); // trailing bytes
        Files.write(dir.resolve("007.event"), good); // not a name the spool writes
        Files.write(dir.resolve("+5.event"), good);
        Files.write(dir.resolve("99999999999999999999.event"), good);
        Files.writeString(dir.resolve("notes.txt"), "an operator's note");
        Files.createDirectory(dir.resolve("11.event"));
        Files.createSymbolicLink(dir.resolve("12.event"), dir.resolve("1.event"));

        EventSpool restarted = open(100);
        assertEquals(List.of("EV_1", "EV_2"), restarted.oldest(10).stream().map(e -> e.event().id()).toList());
        try (Stream<Path> aside = Files.list(dir.resolve(EventSpool.QUARANTINE))) {
            assertEquals(Set.of("7.event", "8.event", "9.event", "10.event", "007.event", "+5.event",
                    "99999999999999999999.event", "notes.txt", "11.event", "12.event"),
                    aside.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        assertEquals(4, meters.counter(WebhookMetrics.QUARANTINED, "reason", "unreadable").count());
        assertEquals(6, meters.counter(WebhookMetrics.QUARANTINED, "reason", "unexpected-name").count());
        // a new event numbers after the highest good one, never onto a quarantined name
        assertTrue(restarted.append("eu-west", event("EV_3", "a"), new byte[] {3}));
        assertEquals(List.of("EV_1", "EV_2", "EV_3"), restarted.oldest(10).stream().map(e -> e.event().id()).toList());
        assertEquals(3, open(100).size(), "a second restart finds nothing odd left");
    }

    @Test
    void anEventThatTurnsUnreadableIsMovedAsideAndDoesNotHoldBackOtherRooms() throws Exception {
        EventSpool spool = open(100);
        for (String id : List.of("EV_1", "EV_2", "EV_3")) {
            assertTrue(spool.append("eu-west", event(id, id.equals("EV_1") ? "a" : "b"), id.getBytes(StandardCharsets.UTF_8)));
        }
        Files.write(dir.resolve("0.event"), new byte[] {42}); // EV_1's file, damaged on disk

        assertEquals(List.of("EV_2", "EV_3"), spool.oldest(10).stream().map(e -> e.event().id()).toList());
        assertTrue(Files.exists(dir.resolve(EventSpool.QUARANTINE).resolve("0.event")));
        assertFalse(spool.holds("eu-west/a"), "room a no longer waits behind the lost event");
        assertEquals(2, spool.size());
        assertEquals(1, meters.counter(WebhookMetrics.QUARANTINED, "reason", "unreadable").count());
    }
}
