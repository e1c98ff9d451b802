package io.lkfleet.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The synthetic join probe ({@code tools/rtc-client/probe.mjs}) running in the fleet: every
 * interval it joins each region through token-service as a real WebRTC publisher and subscriber and
 * exports the join's timing for Prometheus (the SyntheticJoinSlow page).
 */
public final class JoinProbe {
    private final ManagedProcess process;
    private final int metricsPort;

    private JoinProbe(ManagedProcess process, int metricsPort) {
        this.process = process;
        this.metricsPort = metricsPort;
    }

    /** Starts the probe against the fleet's token-service and waits until it serves its metrics. */
    static JoinProbe start(FleetLayout layout, RunDir runDir, Path repoRoot) {
        LocalConfig.Probe config = layout.local().probe()
                .orElseThrow(() -> new FleetStartException("local.probe is missing from the fleet file"));
        Path script = repoRoot.resolve("tools/rtc-client/probe.mjs");
        if (!Files.exists(repoRoot.resolve("tools/rtc-client/node_modules/@livekit/rtc-node"))) {
            throw new FleetStartException("the WebRTC client is not installed; run deploy/local/setup");
        }
        FleetLayout.Service tokens = layout.services().get("token-service");
        int port = layout.probeMetricsPort().orElseThrow();
        String regions = layout.regions().values().stream().map(r -> r.name() + "=" + r.livekitUrl())
                .collect(Collectors.joining(","));
        ManagedProcess process = ManagedProcess.start("join-probe", List.of("node", script.toString()), runDir, Map.of(
                "NODE_ENV", "production",
                "PROBE_TOKEN_URL", tokens.url() + "/v1/token",
                "PROBE_API_KEY", config.tenantKey(),
                "PROBE_REGIONS", regions,
                "PROBE_ROOM_PREFIX", config.roomPrefix(),
                "PROBE_INTERVAL_S", Integer.toString(config.intervalSeconds()),
                "PROBE_METRICS_PORT", Integer.toString(port)));
        JoinProbe probe = new JoinProbe(process, port);
        Await.until("join probe metrics on port " + port, Await.PROCESS_START, () -> {
            process.requireAlive();
            return Http.getStatus(probe.metricsUrl()) == 200;
        });
        return probe;
    }

    public String metricsUrl() {
        return "http://" + FleetLayout.HOST + ":" + metricsPort + "/metrics";
    }

    public ManagedProcess process() {
        return process;
    }

    void stop() {
        process.stop(Duration.ofSeconds(10));
    }
}
