package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import io.lkfleet.local.testing.WebhookTap;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances of every service behind the local fleet's balancers, as production runs them, on
 * {@link E2eFleet}'s small nodes (a 2-person camera+mic call fills one), with LiveKit's webhooks passing
 * through a {@link WebhookTap} that notes what webhook-ingest acknowledged; each test starts with every
 * instance running.
 */
class InstancesIT {
    private static final Pattern ISSUED = Pattern.compile("(?m)^lkfleet_tokens_issued_total\\{[^}]*} ([0-9.E]+)$");
    private static LocalFleet fleet;
    private static WebhookTap tap;

    @BeforeAll
    static void startFleet() {
        tap = WebhookTap.start();
        LocalFleet.Options options = new LocalFleet.Options();
        Map<String, String> overrides = new HashMap<>(TestFleet.randomSecrets(options.fleetFile()));
        overrides.putAll(E2eFleet.SMALL_NODES);
        LocalFleet.SERVICES.forEach(s -> overrides.put("local.services." + s + ".instances", "2"));
        options.freePorts().runDir(Path.of("target", "fleet-instances-" + ProcessHandle.current().pid()))
                .overrides(overrides).services(LocalFleet.SERVICES).webhookUrls(List.of(tap.url()));
        fleet = LocalFleet.start(options);
        tap.forwardTo(fleet.layout().services().get("webhook-ingest").url() + "/webhook");
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
        tap.close();
    }

    @BeforeEach
    void everyInstanceRuns() {
        fleet.restartStoppedInstances();
    }

    @Test
    void callsSpreadOverInstancesAndSurviveOneInstanceOfEachServiceKilled() throws Exception {
        FleetLayout.Service tokens = fleet.layout().services().get("token-service");
        assertTrue(tokens.balanced());
        for (int i = 0; i < 8; i++) {
            token("dev-spread-" + i, "viewer", List.of("subscribe"));
        }
        for (FleetLayout.Instance instance : tokens.instances()) {
            assertTrue(issued(instance) > 0, instance.name() + " issued tokens through the balancer");
        }

        for (String service : LocalFleet.SERVICES) {
            fleet.services().get(service).kill();
        }

        String room = "dev-survivors-" + System.nanoTime();
        JsonNode alice = token(room, "alice", List.of("publish", "subscribe"));
        JsonNode bob = token(room, "bob", List.of("subscribe"));
        try (RtcParticipants rtc = RtcParticipants.join(List.of(
                new RtcParticipants.Spec("alice", alice.path("server_url").asText(),
                        alice.path("participant_token").asText(), List.of("audio", "video"), true),
                new RtcParticipants.Spec("bob", bob.path("server_url").asText(), bob.path("participant_token").asText(),
                        List.of(), true)), Duration.ofSeconds(30))) {
            assertEquals(List.of(), rtc.failed(), "both join with tokens from the surviving instances");
            String capacity = fleet.layout().services().get("capacity-service").url();
            // The webhooks reach the surviving webhook-ingest; the surviving capacity-service takes the dead
            // one's partitions once its Kafka session times out, and counts bob's two subscriptions.
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> view = E2eFleet.get(capacity + "/v1/rooms/" + room);
                return view.statusCode() == 200
                        && E2eFleet.JSON.readTree(view.body()).path("totalSubscriptions").asLong() == 2;
            });
        }

        fleet.restartInstance("token-service");
        assertEquals(200, E2eFleet.get(tokens.instances().get(0).url() + "/q/health/ready").statusCode(),
                "a restarted instance serves again behind the same balancer");
    }

    /** A token through the balancer (see {@link E2eFleet#tokenRetrying}). */
    private static JsonNode token(String room, String identity, List<String> grants) throws Exception {
        return E2eFleet.tokenRetrying(fleet.layout().services().get("token-service").url() + "/v1/token",
                Map.of("room_name", room, "participant_identity", identity, "grants", grants));
    }

    private static double issued(FleetLayout.Instance instance) throws Exception {
        Matcher m = ISSUED.matcher(E2eFleet.get(instance.url() + "/q/metrics").body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
