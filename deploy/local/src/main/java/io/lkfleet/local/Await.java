package io.lkfleet.local;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: start-up waits without fixed sleeps. */
public final class Await {
    /**
     * How long a started process may take to answer. Generous on purpose: on a loaded 2-core machine a
     * broker JVM can take minutes, and a process that died fails the wait at once through requireAlive.
     */
    public static final Duration PROCESS_START = Duration.ofSeconds(180);

    private Await() {
    }

    /** Waits until {@code condition} is true; throws naming {@code what} when {@code timeout} passes. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 10;
        while (true) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new FleetStartException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FleetStartException("interrupted while waiting for " + what);
            }
            pauseMillis = Math.min(pauseMillis * 2, 200);
        }
    }
}
