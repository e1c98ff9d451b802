package io.lkfleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The top of the hour (issue 15.4): 400 token requests at once into 6 rooms that do not exist yet,
 * each on a connection of its own as separate clients open them. Cold: a minute after the fleet
 * started, on JVMs that have served nothing; warm: again, into 6 other new rooms, after the token
 * phase's load has warmed them. Only 201 or a true refusal (409 / 503 no capacity) is allowed;
 * router-unavailable must never be the answer. The peer takes the same burst: the Node endpoint, whose
 * answers show what 400 connections at once cost on this box without routing.
 */
final class BurstBench {
    static final int REQUESTS = 400;
    static final int ROOMS = 6;
    private static final Duration COLD_AFTER = Duration.ofMinutes(1);
    private static final Set<String> TRUE_REFUSALS = Set.of("409 room-exceeds-node", "503 node-full", "503 no-capacity");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What token-service's Redis clients did during one burst (Quarkus's {@code redis_pool_*} meters, after
     * minus before): connections taken from lkfleet Redis's pool, the mean and total time joins waited for
     * one, and requests every pool refused outright (its waiting queue full; LiveKit's registries included).
     */
    record Pools(long taken, double meanWaitMs, double waitedSeconds, long rejected) {
        String text() {
            return String.format(java.util.Locale.ROOT, "lkfleet Redis pool: %d connections taken, mean wait %.1f ms"
                    + " (%.1f s in all); requests refused by a full pool: %d", taken, meanWaitMs, waitedSeconds, rejected);
        }
    }

    /** One burst: answers by status (and problem reason), latency percentiles in ms. */
    record Burst(Map<String, Integer> answers, long p50Ms, long p99Ms, long maxMs) {
        boolean onlyTrueAnswers() {
            return answers.keySet().stream().allMatch(a -> a.equals("201") || TRUE_REFUSALS.contains(a));
        }

        String text() {
            return answers + ", p50 " + p50Ms + " ms, p99 " + p99Ms + " ms, max " + maxMs + " ms";
        }
    }

    private final BenchContext ctx;
    private final long fleetStartedNanos;

    BurstBench(BenchContext ctx, long fleetStartedNanos) {
        this.ctx = ctx;
        this.fleetStartedNanos = fleetStartedNanos;
    }

    Section run() throws Exception {
        String tokenUrl = ctx.serviceUrl("token-service") + "/v1/token";
        long wait = fleetStartedNanos + COLD_AFTER.toNanos() - System.nanoTime();
        boolean cold = wait > 0;
        if (cold) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        String metricsUrl = ctx.serviceUrl("token-service") + "/q/metrics";
        Map<String, Double> before = poolMeters(metricsUrl);
        Burst first = burst(tokenUrl, "dev-burst-cold-");
        Pools firstPools = pools(before, poolMeters(metricsUrl));
        TokenBench.precreateRooms(tokenUrl);
        Path warmUp = Wrk.requestFile(ctx.workDir().resolve("burst-warm-up.txt"), TokenBench.requests());
        ctx.wrk().run(tokenUrl, warmUp, "application/json", ctx.connections(), ctx.jvmWarmUp());
        before = poolMeters(metricsUrl);
        Burst warm = burst(tokenUrl, "dev-burst-warm-");
        Pools warmPools = pools(before, poolMeters(metricsUrl));
        Burst peer;
        try (NodeTokenPeer node = NodeTokenPeer.start(ctx)) {
            burst(node.url, "dev-burst-node-cold-");
            peer = burst(node.url, "dev-burst-node-");
        }
        boolean goal = first.onlyTrueAnswers() && warm.onlyTrueAnswers();
        return new Section("token-service: " + REQUESTS + " token requests at once into " + ROOMS + " new rooms")
                .row((cold ? "cold (1 min after fleet start)" : "first burst (JVMs had served earlier phases)")
                        + ": answers, p50 / p99", first.answers() + ", " + first.p50Ms() + " / " + first.p99Ms() + " ms",
                        "Node endpoint (warm, no routing): " + peer.answers() + ", " + peer.p50Ms() + " / "
                        + peer.p99Ms() + " ms", goal ? "goal met" : "goal NOT met")
                .row("warm (after " + ctx.jvmWarmUp().toSeconds() + " s of the token phase's load): answers, p50 / p99",
                        warm.answers() + ", " + warm.p50Ms() + " / " + warm.p99Ms() + " ms", "", "")
                .note("Each burst: " + REQUESTS + " subscriber joins of the dev tenant into " + ROOMS + " rooms that do"
                        + " not exist yet (request i into room i mod " + ROOMS + "), all sent at once by the bench JVM's"
                        + " java.net.http client, each on a connection of its own; latency per request from send to"
                        + " answer. Goal (issue 15.4): only 201 or a true refusal (409 room-exceeds-node / node-full,"
                        + " 503 no-capacity), router-unavailable never — " + (goal ? "met" : "NOT met") + ". With the"
                        + " bench's node class no refusal is true, so every answer should be 201.")
                .note("Cold: " + first.text() + "; warm: " + warm.text() + "; Node: " + peer.text()
                        + " (after one unmeasured burst of its own).")
                .note("token-service's Redis clients during the cold burst: " + firstPools.text() + "; warm: "
                        + warmPools.text() + ".")
                .raw("cold", cold).raw("first", first).raw("warm", warm).raw("node_endpoint", peer).raw("goal_met", goal)
                .raw("first_pools", firstPools).raw("warm_pools", warmPools);
    }

    private static Burst burst(String url, String roomPrefix) throws Exception {
        String prefix = roomPrefix + Long.toString(System.nanoTime(), 36) + "-";
        // HTTP/1.1: each request in flight on a connection of its own, as separate clients send them
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<String>> pending = new ArrayList<>();
        List<long[]> millis = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String body = "{\"room_name\":\"" + prefix + (i % ROOMS) + "\",\"participant_identity\":\"viewer-" + i
                    + "\",\"grants\":[\"subscribe\"]}";
            long[] took = {-1};
            millis.add(took);
            long sent = System.nanoTime();
            pending.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TokenBench.TENANT_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .handle((response, failure) -> {
                        took[0] = (System.nanoTime() - sent) / 1_000_000;
                        return failure != null ? "failed " + failure.getClass().getSimpleName() : outcome(response);
                    }));
        }
        Map<String, Integer> answers = new TreeMap<>();
        for (CompletableFuture<String> answer : pending) {
            answers.merge(answer.get(), 1, Integer::sum);
        }
        long[] sorted = millis.stream().mapToLong(t -> t[0]).sorted().toArray();
        return new Burst(answers, CapacityBench.percentile(sorted, 50), CapacityBench.percentile(sorted, 99),
                sorted[sorted.length - 1]);
    }

    /** token-service's {@code redis_pool_*} counters, summed by meter name ({@code <default>} pool only for the waits). */
    private static Map<String, Double> poolMeters(String metricsUrl) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metricsUrl))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> meters = new TreeMap<>();
        for (String line : text.split("\n")) {
            boolean lkfleetPool = line.contains("pool_name=\"<default>\"");
            String name = line.startsWith("redis_pool_rejected_total") ? "rejected"
                    : lkfleetPool && line.startsWith("redis_pool_queue_delay_seconds_count") ? "taken"
                    : lkfleetPool && line.startsWith("redis_pool_queue_delay_seconds_sum") ? "waited" : null;
            if (name != null) {
                meters.merge(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return meters;
    }

    private static Pools pools(Map<String, Double> before, Map<String, Double> after) {
        long taken = Math.round(after.getOrDefault("taken", 0.0) - before.getOrDefault("taken", 0.0));
        double waited = after.getOrDefault("waited", 0.0) - before.getOrDefault("waited", 0.0);
        return new Pools(taken, taken == 0 ? 0 : waited * 1000 / taken, waited,
                Math.round(after.getOrDefault("rejected", 0.0) - before.getOrDefault("rejected", 0.0)));
    }

    /** The status and, for a problem, its reason (the last segment of its type). */
    private static String outcome(HttpResponse<String> response) {
        if (response.statusCode() == 201) {
            return "201";
        }
        try {
            JsonNode problem = JSON.readTree(response.body());
            String type = problem.path("type").asText("");
            return response.statusCode() + (type.isEmpty() ? "" : " " + type.substring(type.lastIndexOf('/') + 1));
        } catch (java.io.IOException e) {
            return response.statusCode() + " unreadable";
        }
    }
}
