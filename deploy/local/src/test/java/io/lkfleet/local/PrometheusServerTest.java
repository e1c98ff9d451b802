package io.lkfleet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.local.testing.TestFleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet's Prometheus scrapes what the fleet file lists, and tests may shorten only {@code for:}. */
class PrometheusServerTest {
    private static final Path DEV_FLEET = new LocalFleet.Options().fleetFile();

    @TempDir
    Path tmp;

    @Test
    void scrapeConfigListsEveryServiceEveryLiveKitNodeWithItsRegionAndTheProbe() {
        FleetLayout layout = FleetLayout.read(DEV_FLEET, TestFleet.randomSecrets(DEV_FLEET), 1000);
        String yaml = PrometheusServer.scrapeConfig(Duration.ofSeconds(5), 10090, 10100, new PrometheusServer.Targets(
                layout.services().values(), layout.nodes().values(), layout.probeMetricsPort()), tmp);
        layout.services().values().forEach(s -> assertTrue(yaml.contains("job_name: \"" + s.name()
                + "\"\n    metrics_path: \"/q/metrics\"\n    static_configs:\n      - targets: [\"127.0.0.1:" + s.port()
                + "\"]"), s.name() + " in\n" + yaml));
        layout.nodes().values().forEach(n -> assertTrue(yaml.contains("targets: [\"127.0.0.1:" + n.prometheusPort()
                + "\"]\n        labels: {region: \"" + n.region() + "\", livekit_node: \"" + n.name() + "\"}"), n.name()));
        assertTrue(yaml.contains("targets: [\"127.0.0.1:" + layout.probeMetricsPort().orElseThrow() + "\"]"));
        assertTrue(yaml.contains("  - " + tmp.toAbsolutePath() + "/*.yml"), yaml);
        assertEquals(layout.services().size() + 4, Pattern.compile("job_name").matcher(yaml).results().count(),
                "the services, livekit, the probe, the node exporter and prometheus itself");
    }

    @Test
    void noProbeNoProbeJob() {
        FleetLayout layout = FleetLayout.read(DEV_FLEET, TestFleet.randomSecrets(DEV_FLEET), 0);
        String yaml = PrometheusServer.scrapeConfig(Duration.ofSeconds(5), 9090, 9100,
                new PrometheusServer.Targets(layout.services().values(), layout.nodes().values(), OptionalInt.empty()), tmp);
        assertFalse(yaml.contains("join-probe"), yaml);
    }

    @Test
    void shortenedRulesDifferFromTheShippedOnesOnlyInFor() throws IOException {
        Path shipped = new LocalFleet.Options().repoRoot().resolve("deploy/prometheus/rules");
        Path copies = PrometheusServer.rules(shipped, tmp.resolve("rules"), Optional.of(Duration.ofSeconds(2)));
        try (var files = Files.list(shipped)) {
            for (Path file : files.toList()) {
                String original = Files.readString(file);
                String copy = Files.readString(copies.resolve(file.getFileName()));
                Matcher fors = Pattern.compile("(?m)^\\s+for: (\\S+)$").matcher(copy);
                assertTrue(fors.results().allMatch(m -> m.group(1).equals("2s")), copy);
                assertEquals(original.replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: X"),
                        copy.replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: X"));
                assertEquals(original.lines().filter(l -> l.trim().startsWith("for:")).count(),
                        copy.lines().filter(l -> l.trim().startsWith("for: 2s")).count());
            }
        }
        assertEquals(shipped, PrometheusServer.rules(shipped, tmp.resolve("unused"), Optional.empty()));
    }
}
