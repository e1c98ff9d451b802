package io.lkfleet.routing.route;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where recently admitted rooms live (region claim and node pin), remembered for {@code maxAge}
 * (the pin's lifetime) so a join into a room this instance has seen skips two Redis reads, which
 * leaves one round trip (the admission script) per token. Only a hint: the admission script re-checks the
 * pin atomically and refuses to admit if it changed, and any doubt (pin gone or elsewhere, node
 * dead, region not allowed) forgets the room and takes the full path. At most {@code capacity}
 * rooms; past that the table starts again empty.
 */
final class PinnedRooms {
    record Pin(String region, String node, long rememberedAtNanos) {
    }

    private final long maxAgeNanos;
    private final int capacity;
    private final Map<String, Pin> pins = new ConcurrentHashMap<>();

    PinnedRooms(Duration maxAge, int capacity) {
        this.maxAgeNanos = maxAge.toNanos();
        this.capacity = capacity;
    }

    /** The room's pin if it was seen within {@code maxAge}, else null. */
    Pin get(String room) {
        Pin pin = pins.get(room);
        return pin != null && System.nanoTime() - pin.rememberedAtNanos() <= maxAgeNanos ? pin : null;
    }

    void remember(String room, String region, String node) {
        Pin pin = pins.get(room);
        long now = System.nanoTime();
        if (pin != null && pin.region().equals(region) && pin.node().equals(node)
                && now - pin.rememberedAtNanos() <= maxAgeNanos) {
            return; // a fresh entry stays fresh for maxAge after the reads that made it, not longer
        }
        if (pins.size() >= capacity) {
            pins.clear();
        }
        pins.put(room, new Pin(region, node, now));
    }

    void forget(String room) {
        pins.remove(room);
    }
}
