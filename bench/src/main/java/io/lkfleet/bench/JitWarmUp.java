package io.lkfleet.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Warms a service JVM under load until its JIT has settled, rather than for a fixed time: the load
 * runs in slices and after each the JVM's count of compiled methods ({@code jstat -compiler}) is
 * read; it is settled once a slice compiles at most {@link #SETTLED_PER_SLICE} methods. On this
 * 2-core box a fixed 30 s left token-service compiling (and deoptimising) 74–94 methods per 5 s in
 * the measured window, with the C2 thread using more CPU than either event loop (issue 15).
 */
final class JitWarmUp {
    static final Duration SLICE = Duration.ofSeconds(5);
    /** Compilations in one slice below which the JIT counts as settled (one method per 250 ms). */
    static final int SETTLED_PER_SLICE = Integer.getInteger("bench.jit-settled-per-slice", 20);
    static final Duration LEAST = Duration.ofSeconds(20);
    static final Duration MOST = Duration.ofSeconds(Long.getLong("bench.jit-warmup-max-seconds", 180));

    /** How the warm-up went: compiled methods after each slice, and whether the count stopped growing. */
    record Result(List<Long> compiledAfterSlice, boolean settled, Duration took) {
        String describe() {
            return (settled ? "JIT settled" : "JIT NOT settled") + " after " + took.toSeconds() + " s (methods compiled,"
                    + " after each " + SLICE.toSeconds() + " s slice: " + compiledAfterSlice + ")";
        }
    }

    private JitWarmUp() {
    }

    /** Runs {@code load} (given a slice's length) until the JVM {@code pid} compiles little, or {@link #MOST}. */
    static Result untilSettled(long pid, Path log, Consumer<Duration> load) {
        List<Long> counts = new ArrayList<>();
        long started = System.nanoTime();
        long before = compiled(pid, log);
        while (true) {
            load.accept(SLICE);
            long now = compiled(pid, log);
            counts.add(now);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            boolean settled = now - before <= SETTLED_PER_SLICE && took.compareTo(LEAST) >= 0;
            if (settled || took.compareTo(MOST) >= 0) {
                return new Result(counts, settled, took);
            }
            before = now;
        }
    }

    /** Methods the JVM {@code pid} has compiled so far (all tiers, OSR included), as {@code jstat -compiler} reports. */
    static long compiled(long pid, Path log) {
        String out = Procs.run(List.of("jstat", "-compiler", Long.toString(pid)), Map.of(), Duration.ofSeconds(30), log);
        String[] lines = out.strip().split("\n");
        return Long.parseLong(lines[lines.length - 1].trim().split("\\s+")[0]);
    }
}
