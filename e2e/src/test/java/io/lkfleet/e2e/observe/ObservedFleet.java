package io.lkfleet.e2e.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.PrometheusServer;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet the observability tests share: all four services, the join probe and Prometheus, scraping
 * and evaluating every second with every alert's {@code for:} shortened to {@link #ALERTS_FOR} (the
 * rule files are otherwise the shipped ones). Runs in a failsafe JVM of its own (see e2e/pom.xml).
 * Nodes carry 30 subscriptions (admission limit 19), so a few real clients load one visibly.
 */
final class ObservedFleet {
    static final Duration ALERTS_FOR = Duration.ofSeconds(2);
    static final Map<String, String> FAST = Map.of("local.prometheus.scrape-interval-seconds", "1",
            "local.probe.interval-seconds", "30", "fleet.node-classes.standard.max-subscriptions", "30");
    /** The dev tenant's API key (deploy/local/tenants.yaml stores only its SHA-256). */
    static final String DEV_KEY = "dev-tenant-key-change-me";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ObservedFleet() {
    }

    static LocalFleet fleet() {
        return TestFleet.get(List.of(), LocalFleet.SERVICES, FAST, options -> options.observed().alertsFor(ALERTS_FOR));
    }

    static PrometheusApi prometheus() {
        return new PrometheusApi(fleet().prometheus().map(PrometheusServer::url).orElseThrow());
    }

    static String url(String service) {
        return fleet().layout().services().get(service).url();
    }

    /**
     * A call in {@code room}: one participant per identity, each publishing camera and microphone and
     * subscribing, with tokens from token-service as the dev tenant's backend.
     */
    static RtcParticipants call(String room, String... identities) throws IOException, InterruptedException {
        List<RtcParticipants.Spec> specs = new ArrayList<>();
        for (String identity : identities) {
            JsonNode token = JSON.readTree(post(url("token-service") + "/v1/token", Map.of("room_name", room,
                    "participant_identity", identity), Map.of("Authorization", "Bearer " + DEV_KEY), 201));
            specs.add(new RtcParticipants.Spec(identity, token.path("server_url").asText(),
                    token.path("participant_token").asText(), List.of("audio", "video"), true));
        }
        return RtcParticipants.join(specs, Duration.ofSeconds(30));
    }

    /** POSTs {@code body} as JSON and returns the answer's body, which must have status {@code expected}. */
    static String post(String url, Object body, Map<String, String> headers, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        headers.forEach(request::header);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new AssertionError("POST " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    static JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
