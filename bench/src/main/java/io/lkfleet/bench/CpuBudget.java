package io.lkfleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a window's CPU went on the shared box: each named process's CPU time (user + system) per
 * event, beside the whole machine's busy and idle time from {@code /proc/stat}, so a throughput
 * figure can be read as a budget (2 cores ÷ the sum per event) rather than only as a rate.
 */
final class CpuBudget {
    /** The machine's busy and idle time, and each process's CPU time, at one moment (ms). */
    record Snapshot(Map<String, Long> processMs, long boxBusyMs, long boxIdleMs) {
    }

    private final Map<String, Long> pids;

    /** @param pids name → pid of the processes to account for, in the order they are reported */
    CpuBudget(Map<String, Long> pids) {
        this.pids = pids;
    }

    Snapshot take() {
        Map<String, Long> ms = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ms.put(name, Procs.cpuMillis(pid)));
        long[] box = box();
        return new Snapshot(ms, box[0], box[1]);
    }

    /**
     * Microseconds of CPU per event between two snapshots: each process, the rest of the box (the load
     * generator, the bench, anything else running) and the box's idle time, in that order.
     */
    static Map<String, Double> perEventUs(Snapshot before, Snapshot after, long events) {
        Map<String, Double> us = new LinkedHashMap<>();
        long named = 0;
        for (Map.Entry<String, Long> e : after.processMs().entrySet()) {
            long used = e.getValue() - before.processMs().get(e.getKey());
            named += used;
            us.put(e.getKey(), used * 1000.0 / Math.max(1, events));
        }
        us.put("rest of the box", (after.boxBusyMs() - before.boxBusyMs() - named) * 1000.0 / Math.max(1, events));
        us.put("idle", (after.boxIdleMs() - before.boxIdleMs()) * 1000.0 / Math.max(1, events));
        return us;
    }

    /** "name 52 µs · name 30 µs · …" */
    static String describe(Map<String, Double> perEventUs) {
        StringBuilder b = new StringBuilder();
        perEventUs.forEach((name, us) -> b.append(b.isEmpty() ? "" : " · ").append(name).append(' ')
                .append(Math.round(us)).append(" µs"));
        return b.toString();
    }

    /** Busy and idle ms of all cores together, from the first line of /proc/stat (USER_HZ ticks). */
    private static long[] box() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long user = Long.parseLong(f[1]) + Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            // USER_HZ is 100 on Linux
            return new long[] {(user + system) * 10, idle * 10};
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }
}
