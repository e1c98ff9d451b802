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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two instances of every service behind the local fleet's balancers, as production runs them, on
 * {@link E2eFleet}'s small nodes (a 2-person camera+mic call fills one), with LiveKit's webhooks passing
 * through a {@link WebhookTap} that notes what webhook-ingest acknowledged. The chaos scenario runs
 * first, while every instance is up; each test starts with every instance running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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

    /**
     * Issue 13.7. While 2-person calls keep joining and leaving (5 client apps, real participants, one
     * call per small node, so some are refused): kill -9 one instance of each service, restart lkfleet's
     * Redis empty, restart Kafka, then bring the killed instances back. At every 100 ms sample no node
     * is above its limit (model + reservations, and LiveKit's measured num_tracks_out); clients only
     * ever get 201 or 503 with Retry-After (the balancer sends a request a killed instance left
     * unanswered to the other one); afterwards the model equals LiveKit's num_tracks_out on every node
     * within 10 s; and every event webhook-ingest answered 200 is applied exactly once (see
     * {@link #everyAcknowledgedWebhookAppliedOnce}).
     */
    @Test
    @Order(1)
    void underChaosNoNodeIsOverbookedNoAcknowledgedWebhookIsLostAndTheModelConvergesToLiveKit() throws Exception {
        long started = System.nanoTime();
        FleetLayout.Service capacity = fleet.layout().services().get("capacity-service");
        String tokenUrl = fleet.layout().services().get("token-service").url() + "/v1/token";
        Map<String, Double> atWipe;
        LimitSampler sampler = LimitSampler.start(fleet);
        CallChurn churn = CallChurn.start(tokenUrl, 5);
        try {
            churn.awaitEveryCallerTried(Duration.ofSeconds(90));
            for (String service : LocalFleet.SERVICES) {
                fleet.services().get(service + "-2").kill();
            }
            churn.next();
            churn.awaitEveryCallerTried(Duration.ofSeconds(90));

            fleet.stopRedis(LocalFleet.FLEET_REDIS);
            // what the surviving capacity-service counted into the model Redis just lost (read until two reads
            // agree: an apply Redis answered just before it stopped may be counted a moment later)
            atWipe = settled(() -> WebhookAudit.outcomes(capacity.instances().get(0)), Object::equals,
                    Duration.ofSeconds(10));
            churn.next();
            fleet.restartRedis(LocalFleet.FLEET_REDIS);
            churn.awaitEveryCallerTried(Duration.ofSeconds(90));

            fleet.kafka().stop();
            churn.next();
            fleet.kafka().start();
            churn.awaitEveryCallerTried(Duration.ofSeconds(90));

            System.out.println("restarted " + fleet.restartStoppedInstances());
            churn.settle();
            churn.awaitEveryCallerTried(Duration.ofSeconds(90));
            long settled = System.nanoTime();
            E2eFleet.modelMatchesLiveKit(fleet, churn.live(), Duration.ofSeconds(10));
            System.out.printf("model equal to LiveKit %.1f s after the last calls joined%n",
                    (System.nanoTime() - settled) / 1e9);
        } finally {
            churn.close();
            sampler.close();
            System.out.println(churn.summary());
            System.out.println(sampler.summary());
        }
        assertEquals(List.of(), sampler.breaches(), "no node above its limit at any sample");
        assertEquals(List.of(), churn.wrongAnswers(), "clients see only 201 or 503 with Retry-After");
        assertEquals(List.of(), churn.failedJoins(), "every call with its two tokens joins");
        E2eFleet.modelMatchesLiveKit(fleet, 0);
        everyAcknowledgedWebhookAppliedOnce(capacity, atWipe);
        System.out.printf("chaos scenario took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Every event LiveKit got 200 for is in livekit.webhooks and held by the model exactly once: applied
     * by its id, or all its records below the rebuild's snapshot offsets (the rebuild read LiveKit after
     * it), never both; and per region, the applications capacity-service counted since the wipe (the
     * outcomes that record an id) equal the distinct ids of the stream in the model's {@code applied}, so
     * no event was applied twice. Read once the webhooks of the calls' leaving are over: the tap's
     * deliveries, the topic, the model and the counts did not move between two reads, and the model holds
     * every acknowledged id.
     */
    private static void everyAcknowledgedWebhookAppliedOnce(FleetLayout.Service capacity, Map<String, Double> atWipe)
            throws Exception {
        // times out unless every acknowledged event is in Kafka and held by the model
        Audit audit = settled(() -> Audit.read(capacity), Audit::settledSince, Duration.ofSeconds(90));
        assertTrue(audit.acknowledged().size() > 0, "webhooks were acknowledged");
        List<String> twice = audit.acknowledged().stream().filter(id -> audit.model().appliedAndInSnapshot(id,
                audit.topic().get(id))).toList();
        assertEquals(List.of(), twice, "no event applied by id on top of the snapshot that holds it");
        long applied = audit.acknowledged().stream().filter(id -> audit.model().applied()
                .getOrDefault(audit.topic().get(id).get(0).region(), Set.of()).contains(id)).count();
        for (String region : fleet.layout().regions().keySet()) {
            long counted = Math.round(WebhookAudit.RECORDED.stream().mapToDouble(o -> audit.counts()
                    .getOrDefault(region + "/" + o, 0.0) - atWipe.getOrDefault(region + "/" + o, 0.0)).sum());
            List<String> stream = audit.model().applied().get(region).stream()
                    .filter(id -> !id.startsWith(WebhookAudit.SNAPSHOT_ID_PREFIX)).toList();
            System.out.printf("%s: %d events of the stream applied since the wipe (distinct ids in the model),"
                    + " counted %d times%n", region, stream.size(), counted);
            assertEquals(List.of(), stream.stream().filter(id -> !audit.topic().containsKey(id)).toList(),
                    region + ": every id the model applied is an event of the stream");
            assertEquals(stream.size(), counted, region + ": each event applied once");
        }
        System.out.printf("%d events acknowledged (200) by webhook-ingest: all in Kafka; %d applied by id, %d held"
                + " through the rebuild's snapshot of LiveKit; %d deliveries in all (%d not 200, retried by LiveKit)%n",
                audit.acknowledged().size(), applied, audit.acknowledged().size() - applied,
                audit.deliveries().size(), audit.deliveries().stream().filter(d -> d.status() != 200).count());
    }

    /**
     * One read of what became of the webhooks: the tap's deliveries, the topic, the model, and every
     * capacity-service instance's counts of outcomes.
     */
    private record Audit(List<WebhookTap.Delivery> deliveries, List<String> acknowledged,
            Map<String, List<WebhookAudit.Placed>> topic, WebhookAudit.Model model, Map<String, Double> counts) {

        static Audit read(FleetLayout.Service capacity) throws Exception {
            List<WebhookTap.Delivery> deliveries = tap.deliveries();
            Map<String, Double> counts = new HashMap<>();
            for (FleetLayout.Instance instance : capacity.instances()) {
                WebhookAudit.outcomes(instance).forEach((k, v) -> counts.merge(k, v, Double::sum));
            }
            return new Audit(deliveries, deliveries.stream().filter(d -> d.status() == 200)
                    .map(WebhookTap.Delivery::id).distinct().toList(), WebhookAudit.topic(fleet), WebhookAudit.model(fleet),
                    counts);
        }

        /**
         * Nothing moved since {@code before}: no delivery, no record in the topic, no event applied or counted;
         * and the model holds every acknowledged id. The four parts are read one after the other, so a late
         * event (a room_finished after the departure timeout) can land between them; comparing every part
         * with the read before tells such a read apart from one of a quiet fleet.
         */
        boolean settledSince(Audit before) {
            return deliveries.equals(before.deliveries) && counts.equals(before.counts)
                    && topic.keySet().equals(before.topic.keySet()) && model.equals(before.model)
                    && acknowledged.stream().allMatch(id -> topic.containsKey(id) && model.holds(id, topic.get(id)));
        }
    }

    /** Reads until a read is settled since the one before it. */
    private static <T> T settled(Callable<T> read, BiPredicate<T, T> settledSince, Duration atMost) {
        AtomicReference<T> previous = new AtomicReference<>();
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(read, now -> {
            T before = previous.getAndSet(now);
            return before != null && settledSince.test(now, before);
        });
    }

    @Test
    @Order(2)
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
