package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livekit.server.AccessToken;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.testing.TestFleet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * The fleet every end-to-end test shares (all four packaged services), and the calls a client app
 * makes to it. Its SFU nodes are made small on purpose: a standard node carries 8 subscriptions,
 * so the admission limit at 35 % headroom is 5, and a 2-person camera+mic call (4 subscriptions)
 * fills a node: the scenarios fill regions with a handful of real clients.
 */
final class E2eFleet {
    /** The dev tenant's API key (deploy/local/tenants.yaml stores only its SHA-256). */
    static final String DEV_KEY = "dev-tenant-key-change-me";
    static final Map<String, String> SMALL_NODES = Map.of("fleet.node-classes.standard.max-subscriptions", "8");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private E2eFleet() {
    }

    private static boolean warm;

    static synchronized LocalFleet fleet() {
        LocalFleet fleet = TestFleet.get(List.of(), LocalFleet.SERVICES, SMALL_NODES);
        if (!warm) {
            warm = true;
            warmUp(fleet.layout().services().get("token-service").url() + "/v1/token");
        }
        return fleet;
    }

    /**
     * Ready services are still cold: on this shared 2-core machine the first route (class loading,
     * JIT, the decision producer's first metadata fetch, LiveKit's CreateRoom) has taken longer than
     * token-service's 2 s bound on the router call, failing whichever test came first. One token,
     * retried as a client app would on a 503 with Retry-After, warms the whole path.
     */
    private static void warmUp(String tokenUrl) {
        // not through fleet(): Awaitility asks from another thread, which would wait for this one's lock
        Map<String, Object> body = Map.of("room_name", "dev-warm-up-" + System.nanoTime(), "participant_identity",
                "warm-up", "grants", List.of("subscribe"));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                post(tokenUrl, body, Map.of("Authorization", "Bearer " + DEV_KEY)).statusCode() == 201);
    }

    /** Headers of an operator calling region-router's admin APIs. */
    static Map<String, String> routerAdmin() {
        return bearer(fleet().layout().local().credentials().routerAdminToken());
    }

    /** Headers of a caller of region-router's {@code /v1/route} (with its caller token). */
    static Map<String, String> routerCaller() {
        return bearer(fleet().layout().local().credentials().routerCallerToken());
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    static String url(String service) {
        return fleet().layout().services().get(service).url();
    }

    /** {@code POST /v1/token} as the dev tenant's backend. */
    static HttpResponse<String> requestToken(Map<String, Object> body) throws IOException, InterruptedException {
        return post(url("token-service") + "/v1/token", body, Map.of("Authorization", "Bearer " + DEV_KEY));
    }

    /** A token that must be issued (201). */
    static JsonNode token(Map<String, Object> body) throws IOException, InterruptedException {
        HttpResponse<String> response = requestToken(body);
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    static HttpResponse<String> post(String url, Object body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A webhook body as LiveKit writes it (protojson: lowerCamelCase, int64 as strings, the AUDIO track
     * type omitted); {@code participant} (sid and identity) and {@code track} (its fields as given) are
     * left out when null.
     */
    static byte[] webhook(String type, String room, String roomSid, String participantSid, String identity,
            Map<String, String> track) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("event", type);
        body.putObject("room").put("sid", roomSid).put("name", room);
        if (participantSid != null) {
            body.putObject("participant").put("sid", participantSid).put("identity", identity).put("state", "ACTIVE");
        }
        if (track != null) {
            ObjectNode fields = body.putObject("track");
            track.forEach(fields::put);
        }
        body.put("id", "EV_" + UUID.randomUUID().toString().replace("-", ""));
        body.put("createdAt", Long.toString(System.currentTimeMillis() / 1000));
        return JSON.writeValueAsBytes(body);
    }

    /** Posts a webhook to {@code fleet}'s webhook-ingest signed as the region's LiveKit signs it. */
    static HttpResponse<String> postWebhook(LocalFleet fleet, String region, byte[] body)
            throws IOException, InterruptedException, GeneralSecurityException {
        FleetLayout.Region keys = fleet.layout().regions().get(region);
        AccessToken token = new AccessToken(keys.apiKey(), keys.apiSecret());
        token.setSha256(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)));
        return send(HttpRequest.newBuilder(URI.create(fleet.layout().services().get("webhook-ingest").url()
                + "/webhook")).header("Content-Type", "application/webhook+json")
                .header("Authorization", token.toJwt()).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)));
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = get(url);
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** The model's view of every node that is not gone, from capacity-service. */
    static List<JsonNode> nodes() throws IOException, InterruptedException {
        return nodes(fleet());
    }

    /** As {@link #nodes()}, in {@code fleet}. */
    static List<JsonNode> nodes(LocalFleet fleet) throws IOException, InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        for (String region : fleet.layout().regions().keySet()) {
            getJson(fleet.layout().services().get("capacity-service").url() + "/v1/regions/" + region + "/nodes")
                    .forEach(n -> {
                        if (!"GONE".equals(n.path("state").asText())) {
                            all.add(n);
                        }
                    });
        }
        return all;
    }

    /**
     * Per node of {@code fleet}, the model's forwarded tracks (from webhooks) beside LiveKit's measured
     * num_tracks_out, printed; waits until they agree and add up to what {@code calls} 2-person
     * camera+mic calls forward (4 tracks each).
     */
    static void modelMatchesLiveKit(LocalFleet fleet, int calls) throws IOException, InterruptedException {
        modelMatchesLiveKit(fleet, calls, Duration.ofSeconds(20));
    }

    /** As {@link #modelMatchesLiveKit(LocalFleet, int)}, within {@code within}. */
    static void modelMatchesLiveKit(LocalFleet fleet, int calls, Duration within) throws IOException, InterruptedException {
        try {
            Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
                List<JsonNode> nodes = nodes(fleet);
                long model = nodes.stream().mapToLong(n -> n.path("subscriptions").asLong()).sum();
                return model == 4L * calls && nodes.stream().allMatch(n -> n.path("subscriptions").asLong()
                        == n.path("measured").path("numTracksOut").asLong());
            });
        } finally {
            System.out.printf("%-18s %-11s %14s %20s%n", "node", "region", "model tracks", "LiveKit tracks_out");
            for (JsonNode n : nodes(fleet)) {
                System.out.printf("%-18s %-11s %14d %20d%n", n.path("id").asText(), n.path("region").asText(),
                        n.path("subscriptions").asLong(), n.path("measured").path("numTracksOut").asLong());
            }
        }
    }

    /**
     * A token from token-service at {@code tokenUrl} as the dev tenant (through a balancer, requests on
     * kept-alive connections spread over the instances); a 503 with Retry-After is retried as a client
     * app would, anything else but 201 fails.
     */
    static JsonNode tokenRetrying(String tokenUrl, Map<String, Object> body) throws IOException, InterruptedException {
        List<Integer> statuses = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(tokenUrl))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + DEV_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            statuses.add(response.statusCode());
            if (response.statusCode() == 201) {
                return JSON.readTree(response.body());
            }
            assertEquals(503, response.statusCode(), "only 201 or 503: " + response.body());
            assertTrue(response.headers().firstValue("Retry-After").isPresent(), "a 503 says when to retry");
            Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").get()));
        }
        throw new AssertionError("no token for " + body + " after 5 attempts: " + statuses);
    }

    /**
     * Waits until the rooms of earlier tests have emptied and the model has seen them leave: on these
     * small nodes one leftover call would fill a node.
     */
    static void awaitIdle() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> nodes().stream().allMatch(n -> n.path("subscriptions").asLong() == 0));
    }
}
