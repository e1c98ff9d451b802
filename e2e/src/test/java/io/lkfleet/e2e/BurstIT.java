package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The top of the hour: 400 token requests at once into 6 rooms that do not exist yet, through
 * token-service as client apps send them, first on services that have served little (cold), then
 * again (warm). Each gets a token or a refusal that is true (no capacity), never router-unavailable.
 */
class BurstIT extends FleetTest {
    private static final int REQUESTS = 400;
    private static final int ROOMS = 6;
    private static final Set<String> TRUE_REFUSALS = Set.of("no-capacity", "node-full", "room-exceeds-node");
    /**
     * HTTP/1.1: each request in flight on a connection of its own, as separate client apps send them (the
     * default, HTTP/2, tries an h2c upgrade on each and then multiplexes them over a few connections).
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    record Answer(int status, String reason, String serverUrl, long millis) {
    }

    @Test
    void aBurstIntoNewRoomsGetsTokensOrTrueRefusalsNeverRouterUnavailable() throws Exception {
        Map<String, List<Answer>> phases = new java.util.LinkedHashMap<>();
        Map<String, String> prefixes = new HashMap<>();
        for (String phase : List.of("cold", "warm")) {
            String prefix = "dev-burst-" + phase + "-" + System.nanoTime() + "-";
            prefixes.put(phase, prefix);
            phases.put(phase, burst(prefix));
            Map<String, Integer> mix = new TreeMap<>();
            phases.get(phase).forEach(a -> mix.merge(a.status() + (a.reason() == null ? "" : " " + a.reason()), 1,
                    Integer::sum));
            long[] millis = phases.get(phase).stream().mapToLong(Answer::millis).sorted().toArray();
            System.out.printf("BurstIT %s: %d requests into %d new rooms: %s; latency p50 %d ms, p99 %d ms, max %d ms%n",
                    phase, REQUESTS, ROOMS, mix, millis[millis.length / 2], millis[millis.length * 99 / 100],
                    millis[millis.length - 1]);
        }
        for (Map.Entry<String, List<Answer>> phase : phases.entrySet()) {
            List<Answer> answers = phase.getValue();
            Map<String, Set<String>> urlsOfRoom = new HashMap<>();
            int issued = 0;
            for (int i = 0; i < answers.size(); i++) {
                Answer answer = answers.get(i);
                if (answer.status() == 201) {
                    issued++;
                    urlsOfRoom.computeIfAbsent(prefixes.get(phase.getKey()) + (i % ROOMS), r -> new HashSet<>())
                            .add(answer.serverUrl());
                } else {
                    assertTrue((answer.status() == 409 || answer.status() == 503) && TRUE_REFUSALS.contains(answer.reason()),
                            phase.getKey() + ": request " + i + " answered " + answer.status() + " " + answer.reason());
                }
            }
            assertTrue(issued > 0, phase.getKey() + ": some tokens were issued");
            urlsOfRoom.forEach((room, urls) -> assertEquals(1, urls.size(), room + " lives in one region: " + urls));
        }
    }

    /** {@link #REQUESTS} requests sent at once, as viewers of rooms {@code prefix0..5}. */
    private static List<Answer> burst(String prefix) throws Exception {
        String url = E2eFleet.url("token-service") + "/v1/token";
        List<CompletableFuture<Answer>> pending = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String body = E2eFleet.JSON.writeValueAsString(Map.of("room_name", prefix + (i % ROOMS),
                    "participant_identity", "viewer-" + i, "grants", List.of("subscribe")));
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + E2eFleet.DEV_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long sent = System.nanoTime();
            pending.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .thenApply(response -> answer(response, (System.nanoTime() - sent) / 1_000_000)));
        }
        List<Answer> answers = new ArrayList<>();
        for (CompletableFuture<Answer> answer : pending) {
            answers.add(answer.get());
        }
        return answers;
    }

    private static Answer answer(HttpResponse<String> response, long millis) {
        try {
            JsonNode body = E2eFleet.JSON.readTree(response.body());
            String type = body.path("type").asText("");
            return new Answer(response.statusCode(), type.isEmpty() ? null : type.substring(type.lastIndexOf('/') + 1),
                    body.path("server_url").asText(null), millis);
        } catch (java.io.IOException e) {
            return new Answer(response.statusCode(), "unreadable-body", null, millis);
        }
    }
}
