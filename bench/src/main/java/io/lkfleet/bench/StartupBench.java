package io.lkfleet.bench;

import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up time (process start → first 200 from /q/health/ready) and RSS of each service in JVM
 * mode: a second instance of each, started alone with the JVM flags LocalFleet uses, against the
 * running fleet. The fleet's own instances' RSS after all the load is shown beside it.
 */
final class StartupBench {
    private final BenchContext ctx;

    StartupBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    Section run() throws Exception {
        Section section = new Section("start-up time and RSS per service (JVM mode)");
        Map<String, Object> raw = new LinkedHashMap<>();
        Path properties = ctx.fleet().runDir().root().resolve("fleet-runtime.properties");
        for (String service : LocalFleet.SERVICES) {
            int port = Procs.freePort();
            Path spool = Files.createTempDirectory(ctx.workDir(), "spool-");
            List<String> command = new ArrayList<>(List.of(KafkaTools.javaBin(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.config.locations=" + properties.toUri(), "-Dingest.spool.dir=" + spool,
                    "-jar", ctx.repoRoot().resolve(service + "/target/quarkus-app/quarkus-run.jar").toString()));
            long start = System.nanoTime();
            Process process = Procs.start(command, Map.of(), ctx.workDir().resolve("startup-" + service + ".log"));
            boolean ready = Procs.awaitOk("http://127.0.0.1:" + port + "/q/health/ready", Duration.ofSeconds(90));
            double seconds = (System.nanoTime() - start) / 1e9;
            double rssAtReady = Procs.rssMib(process.pid());
            Procs.stop(process);
            ManagedProcess running = ctx.fleet().services().get(service);
            double rssAfterLoad = running == null ? -1 : Procs.rssMib(running.pid());
            section.row(service + " start-up to ready / RSS at ready",
                    ready ? String.format("%.2f s / %.0f MiB", seconds, rssAtReady) : "not ready in 90 s",
                    String.format("fleet instance after the load: %.0f MiB", rssAfterLoad), "");
            raw.put(service, Map.of("ready", ready, "startup_s", seconds, "rss_at_ready_mib", rssAtReady,
                    "rss_after_load_mib", rssAfterLoad));
        }
        return section.raw("services", raw).note("Each instance starts alone (the fleet keeps running), -Xmx256m"
                + " -XX:+UseSerialGC as LocalFleet runs them; start-up is wall clock from process start to the first 200"
                + " from /q/health/ready (polled every 20 ms), so it includes connecting to Kafka, Redis and LiveKit.");
    }
}
