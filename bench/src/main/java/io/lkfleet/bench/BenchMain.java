package io.lkfleet.bench;

import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.TestFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs every benchmark on a fresh local fleet and writes bench/results/<date>.{md,json}, then the
 * README's Results section from it. {@code readme <results.md>} only regenerates the section. Naming
 * phases ({@code burst token offered webhook capacity massleave router join startup}) runs only those and writes their results to
 * bench/target/run/partial instead, leaving the dated file and README alone.
 */
public final class BenchMain {
    private BenchMain() {
    }

    private interface Phase {
        Section run() throws Exception;
    }

    /** Phases that run only when named: they take long or change the fleet's state (a soak, Redis emptied). */
    static final Set<String> OPT_IN = Set.of("soak", "recovery");

    /** A benchmark that fails is reported as failed in the results; the others still run. */
    private static void phase(Results results, Set<String> only, String key, String name, Phase phase) {
        if (only.isEmpty() ? OPT_IN.contains(key) : !only.contains(key)) {
            return;
        }
        System.out.println("bench: " + name);
        try {
            results.add(phase.run());
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            results.add(new Section(name + " (FAILED)").row(name, "failed: " + e.getMessage(), "", "")
                    .raw("error", String.valueOf(e)));
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("lkfleet.root", ".")).toAbsolutePath().normalize();
        if (args.length == 2 && args[0].equals("readme")) {
            Results.updateReadme(root.resolve("README.md"), Path.of(args[1]).toAbsolutePath(), root);
            return;
        }
        Set<String> only = Set.of(args);
        String date = LocalDate.now().toString();
        Path work = root.resolve("bench/target/run");
        Files.createDirectories(work);
        Path log = work.resolve("tools.log");
        Files.deleteIfExists(log);
        Duration warmUp = Duration.ofSeconds(Long.getLong("bench.warmup-seconds", 5));
        Duration measure = Duration.ofSeconds(Long.getLong("bench.measure-seconds", 12));

        LocalFleet.Options options = new LocalFleet.Options();
        Map<String, String> overrides = new HashMap<>(TestFleet.randomSecrets(options.fleetFile()));
        // a node class far beyond the load, so no benchmark measures refusals instead of work
        overrides.put("fleet.node-classes.standard.max-subscriptions", "1000000");
        overrides.put("fleet.node-classes.standard.egress-mbps", "1000000");
        // the dev tenant with its rate limit lifted, so the token benchmark measures the path, not the limiter
        options.freePorts().runDir(work.resolve("fleet")).overrides(overrides).services(LocalFleet.SERVICES)
                .tenantsFile(root.resolve("bench/tenants.yaml"));

        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("machine", "a shared " + Runtime.getRuntime().availableProcessors() + "-core box (other engineers"
                + " work on it too); load generators, Kafka, Redis, 4 livekit-server nodes and the 4 services all share"
                + " it, so every figure is a floor for the software and only comparable within this run.");
        environment.put("java", System.getProperty("java.version"));
        environment.put("load", "wrk -t" + Wrk.THREADS + " -c" + Integer.getInteger("bench.connections", 50) + ", " + warmUp.toSeconds() + " s warm-up + "
                + measure.toSeconds() + " s measured per HTTP phase; services run -Xmx256m -XX:+UseSerialGC");
        environment.put("config", "node class standard raised to 1,000,000 subscriptions (admission never refuses);"
                + " routing.max-reservations-per-tenant raised to 10,000,000 by bench/run (every benchmark join is a"
                + " reservation no client uses);"
                + " token-service tenants from bench/tenants.yaml (the dev tenant and key, rate limit lifted from 500/s)");
        environment.put("loadavg_at_start", Files.readString(Path.of("/proc/loadavg")).trim());

        Results results = new Results(date, environment);
        long started = System.nanoTime();
        System.out.println("bench: starting the fleet");
        try (LocalFleet fleet = LocalFleet.start(options)) {
            long fleetStarted = System.nanoTime();
            BenchContext ctx = new BenchContext(fleet, root, work, log, new Wrk(root.resolve("bench/wrk-post.lua"), log),
                    warmUp, measure, Integer.getInteger("bench.connections", 50));
            // first: its cold burst is the first load on the fresh JVMs
            phase(results, only, "burst", "token burst into new rooms", () -> new BurstBench(ctx, fleetStarted).run());
            phase(results, only, "token", "token-service vs Node", () -> new TokenBench(ctx).run());
            phase(results, only, "offered", "token latency at offered load", () -> new OfferedLoadBench(ctx).run());
            phase(results, only, "webhook", "webhook-ingest vs ProducerPerformance", () -> new WebhookBench(ctx, new KafkaTools(ctx)).run());
            phase(results, only, "capacity", "capacity-service", () -> new CapacityBench(ctx).run());
            phase(results, only, "massleave", "mass leave", () -> new MassLeaveBench(ctx).run());
            phase(results, only, "router", "region-router vs redis-benchmark", () -> new RouterBench(ctx).run());
            phase(results, only, "join", "whole loop: joins", () -> new JoinBench(ctx).run());
            phase(results, only, "startup", "start-up and RSS", () -> new StartupBench(ctx).run());
            phase(results, only, "recovery", "recovery", () -> new RecoveryBench(ctx).run());
            phase(results, only, "soak", "soak", () -> new SoakBench(ctx).run());
        }
        environment.put("bench_wall_clock_s", Math.round((System.nanoTime() - started) / 1e9));
        if (!only.isEmpty()) {
            Path md = results.write(work.resolve("partial"));
            System.out.println("bench: wrote " + md + " (phases " + only + " only; README untouched)");
            System.out.println(Files.readString(md));
            return;
        }
        Path md = results.write(root.resolve("bench/results"));
        Results.updateReadme(root.resolve("README.md"), md, root);
        System.out.println("bench: wrote " + md + " and README.md's Results section");
        System.out.println(Files.readString(md));
    }
}
