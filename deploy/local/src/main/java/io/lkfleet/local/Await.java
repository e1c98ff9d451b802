package io.lkfleet.local;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: start-up waits without fixed sleeps. */
public final class Await {
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
