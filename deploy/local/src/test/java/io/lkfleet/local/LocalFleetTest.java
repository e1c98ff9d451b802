package io.lkfleet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.local.testing.TestFleet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner refuses bad configuration with a message naming the problem, and survives a crash. */
class LocalFleetTest {
    private static final Path DEV_FLEET = new LocalFleet.Options().fleetFile();

    @TempDir
    Path tmp;

    @Test
    void missingApiSecretStopsStartUpNamingTheVariable() throws IOException {
        Path fleetFile = fleetFileWith(Map.of("${LKFLEET_EU_WEST_API_SECRET}", "${LKFLEET_TEST_UNSET_SECRET_XYZ}"));
        FleetStartException e = assertThrows(FleetStartException.class,
                () -> FleetLayout.read(fleetFile, TestFleet.randomSecrets(DEV_FLEET), 0));
        assertTrue(e.getMessage().contains("LKFLEET_TEST_UNSET_SECRET_XYZ"), e.getMessage());
    }

    @Test
    void nodeOfUnknownRegionStopsStartUpNamingNodeAndRegion() throws IOException {
        Path fleetFile = fleetFileWith(Map.of("eu-west-b:    { region: eu-west,", "eu-west-b:    { region: us-east,"));
        FleetStartException e = assertThrows(FleetStartException.class,
                () -> FleetLayout.read(fleetFile, TestFleet.randomSecrets(DEV_FLEET), 0));
        assertTrue(e.getMessage().contains("local.nodes.eu-west-b.region names unknown region 'us-east'"), e.getMessage());
    }

    @Test
    void shortApiSecretIsRefusedBecauseLiveKitNeeds32Characters() {
        Map<String, String> secrets = new HashMap<>(TestFleet.randomSecrets(DEV_FLEET));
        secrets.put("LKFLEET_EU_CENTRAL_API_SECRET", "too-short");
        FleetStartException e = assertThrows(FleetStartException.class, () -> FleetLayout.read(DEV_FLEET, secrets, 0));
        assertTrue(e.getMessage().contains("fleet.regions.eu-central.api-secret is shorter than 32"), e.getMessage());
        assertFalse(e.getMessage().contains("too-short"), "the secret itself must not appear in the message");
    }

    @Test
    void portAlreadyTakenStopsStartUpNamingPortAndOwner() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(FleetLayout.HOST))) {
            int port = taken.getLocalPort();
            Path fleetFile = fleetFileWith(Map.of("port: 19092", "port: " + port));
            LocalFleet.Options options = new LocalFleet.Options().fleetFile(fleetFile).runDir(tmp.resolve("run"))
                    .overrides(TestFleet.randomSecrets(DEV_FLEET));
            FleetStartException e = assertThrows(FleetStartException.class, () -> LocalFleet.start(options));
            assertTrue(e.getMessage().contains("port " + port + " (kafka) is already in use"), e.getMessage());
        }
    }

    @Test
    void startsAgainAfterARunnerDiedWithoutStoppingItsServers() {
        LocalFleet.Options options = new LocalFleet.Options().freePorts().withoutLiveKit().runDir(tmp.resolve("run"))
                .overrides(TestFleet.randomSecrets(DEV_FLEET)).services(List.of());
        LocalFleet crashed = LocalFleet.start(options);
        long leftoverKafka = crashed.kafka().process().pid();
        // No close(): as if the runner had been SIGKILLed. The same ports are used again below.
        LocalFleet again = LocalFleet.start(new LocalFleet.Options().portOffset(crashed.layout().kafkaPort() - 19092)
                .withoutLiveKit().runDir(tmp.resolve("run")).overrides(TestFleet.randomSecrets(DEV_FLEET)));
        try {
            assertFalse(ProcessHandle.of(leftoverKafka).map(ProcessHandle::isAlive).orElse(false),
                    "the crashed run's Kafka must be gone");
            assertTrue(again.kafka().isRunning());
            assertEquals(crashed.layout().kafkaPort(), again.layout().kafkaPort());
        } finally {
            again.close();
        }
    }

    private Path fleetFileWith(Map<String, String> replacements) throws IOException {
        String text = Files.readString(DEV_FLEET);
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            assertTrue(text.contains(r.getKey()), "dev fleet file no longer contains " + r.getKey());
            text = text.replace(r.getKey(), r.getValue());
        }
        Path file = tmp.resolve("fleet.yaml");
        Files.writeString(file, text);
        return file;
    }
}
