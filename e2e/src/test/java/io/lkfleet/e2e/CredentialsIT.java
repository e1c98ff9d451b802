package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.local.LocalFleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outside dev and test a packaged service does not start without its credentials, and says which
 * key (and environment variable) is missing: the fleet's own configuration, minus one credential.
 */
class CredentialsIT {
    @TempDir
    Path tmp;

    @Test
    void packagedServicesRefuseToStartWithoutTheirCredentials() throws Exception {
        LocalFleet fleet = E2eFleet.fleet();
        // token-service has no API credential of its own any more: it routes in process (no caller token)
        Map<String, String> missing = Map.of("region-router", "router.admin-token", "capacity-service", "capacity.admin-token");
        for (Map.Entry<String, String> m : missing.entrySet()) {
            Map<String, String> config = new TreeMap<>(fleet.serviceProperties());
            config.remove(m.getValue());
            config.put("quarkus.http.port", "0");
            Path file = tmp.resolve(m.getKey() + ".properties");
            Files.writeString(file, config.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                    .collect(Collectors.joining("\n")));
            String output = start(m.getKey(), file);
            String env = m.getValue().toUpperCase().replaceAll("[^A-Z0-9]", "_");
            assertTrue(output.contains(m.getValue()) && output.contains(env), m.getKey() + " did not name " + m.getValue()
                    + " / " + env + ":\n" + output);
        }
    }

    /** Runs the packaged service until it exits (it must, within 2 minutes, and not with 0); its output. */
    private String start(String service, Path config) throws IOException, InterruptedException {
        Path jar = new LocalFleet.Options().repoRoot().resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        Path log = tmp.resolve(service + ".log");
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.config.locations=" + config.toUri(), "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), service + " kept running without its credential");
            assertNotEquals(0, process.exitValue(), service + " exited with 0 without its credential");
            return Files.readString(log);
        } finally {
            process.destroyForcibly();
        }
    }
}
