package io.lkfleet.capacity.store;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps this instance's writes to a region's model out of a wipe of it. A wipe deletes keys batch
 * by batch, so a write landing in the middle would survive in part: say, its event id in
 * {@code applied} and the room it changed, but not the node counter it moved; the replay then skips
 * that event as a duplicate and the node's load stays short for good. While a region is closed,
 * a write is refused (the consumer retries it, the poller writes again at its next pass), and
 * closing waits for the writes in flight.
 */
final class WipeGate {
    /** Refused write: the region is being wiped. */
    static final class Closed extends IllegalStateException {
        Closed(String region) {
            super("region " + region + "'s model is being wiped for a rebuild; written again shortly");
        }
    }

    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Set<String> closed = ConcurrentHashMap.newKeySet();

    /** Admits one write; pair with {@link #exit}. */
    void enter(String region) {
        AtomicInteger writes = inFlight.computeIfAbsent(region, r -> new AtomicInteger());
        writes.incrementAndGet();
        // counted before the check: a wipe closing now either sees this write or is seen here
        if (closed.contains(region)) {
            writes.decrementAndGet();
            throw new Closed(region);
        }
    }

    void exit(String region) {
        inFlight.get(region).decrementAndGet();
    }

    /** Refuses new writes to {@code region} and waits (at most {@code timeout}) for those in flight. */
    void close(String region, Duration timeout) {
        closed.add(region);
        AtomicInteger writes = inFlight.computeIfAbsent(region, r -> new AtomicInteger());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (writes.get() > 0) {
            if (System.nanoTime() > deadline) {
                open(region);
                throw new IllegalStateException("writes to region " + region + " did not finish within " + timeout);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    void open(String region) {
        closed.remove(region);
    }
}
