package io.lkfleet.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * token-service's full path (auth → route → admission → sign, routing in process) against a minimal
 * Node endpoint on livekit-server-sdk, both driven by the same wrk script with the same bodies. Joins are
 * subscribers of pre-created rooms without publishers: they cost 0 subscriptions, so admission
 * never refuses and no new LiveKit room is created while measuring.
 */
final class TokenBench {
    static final String TENANT_KEY = "dev-tenant-key-change-me";
    static final int ROOMS = 100;
    private static final int REQUESTS = 60_000;
    /** Measured windows per endpoint, alternating token-service and Node. */
    static final int WINDOWS = Integer.getInteger("bench.token-windows", 5);
    static final Duration WINDOW = Duration.ofSeconds(Long.getLong("bench.token-window-seconds", 6));
    /** Measured runs of the phase one after another on one fleet start and one warm-up (issue 15: five must agree). */
    static final int RUNS = Math.max(1, Integer.getInteger("bench.token-runs", 1));

    private final BenchContext ctx;

    TokenBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    static String room(int i) {
        return "dev-bench-" + i;
    }

    /**
     * One measured window of one endpoint: wrk's figures and the CPU its processes used per answer;
     * for token-service also region-router's and, on the path but not lkfleet's, its Redis and Kafka broker's.
     */
    record Window(Wrk.Result wrk, double cpuMsPerToken, double routerCpuMsPerToken, double redisCpuMsPerToken,
            double kafkaCpuMsPerToken) {
        double rate() {
            return wrk.ratePerSecond(201);
        }
    }

    /**
     * One measured run of the phase: {@link #WINDOWS} window pairs, token-service's then Node's, with the
     * methods token-service compiled and the admission script's own time over them.
     */
    record Run(List<Window> ours, List<Window> peers, long compiledInWindows, ScriptStats scripts) {
        double oursRate() {
            return median(ours, Window::rate);
        }

        double peerRate() {
            return median(peers, Window::rate);
        }

        double lkfleetCpuPerToken() {
            return median(ours, Window::cpuMsPerToken) + median(ours, Window::routerCpuMsPerToken);
        }

        double nodeCpuPerToken() {
            return median(peers, Window::cpuMsPerToken);
        }

        double oursP99() {
            return median(ours, w -> w.wrk().p99Us() / 1e3);
        }

        double peerP99() {
            return median(peers, w -> w.wrk().p99Us() / 1e3);
        }

        /** issue 15: >= 0.5x Node's tokens/s, p99 <= 2x Node's, CPU per token (every lkfleet process) <= 2x Node's. */
        boolean goal() {
            return oursRate() >= 0.5 * peerRate() && oursP99() <= 2 * peerP99()
                    && lkfleetCpuPerToken() <= 2 * nodeCpuPerToken();
        }
    }

    Section run() throws Exception {
        String tokenUrl = ctx.serviceUrl("token-service") + "/v1/token";
        precreateRooms(tokenUrl);
        Path requests = Wrk.requestFile(ctx.workDir().resolve("token-requests.txt"), requests());
        long tokenPid = ctx.fleet().services().get("token-service").pid();
        long routerPid = ctx.fleet().services().get("region-router").pid();
        long[] besides = {ctx.fleetRedisPid(), ctx.fleet().kafka().process().pid()};

        List<Run> runs = new ArrayList<>();
        JitWarmUp.Result warm;
        try (NodeTokenPeer node = NodeTokenPeer.start(ctx)) {
            warm = JitWarmUp.untilSettled(tokenPid, ctx.log(),
                    slice -> ctx.wrk().run(tokenUrl, requests, "application/json", ctx.connections(), slice));
            // V8 has no compile counter to watch: Node gets the fixed warm-up it always had
            ctx.wrk().run(node.url, requests, "application/json", ctx.connections(), ctx.jvmWarmUp());
            for (int r = 0; r < RUNS; r++) {
                long compiledBefore = JitWarmUp.compiled(tokenPid, ctx.log());
                ScriptStats scriptsBefore = ScriptStats.read(ctx);
                List<Window> ours = new ArrayList<>();
                List<Window> peers = new ArrayList<>();
                // alternating short windows: both endpoints see the same contention of the shared box
                for (int i = 0; i < WINDOWS; i++) {
                    ours.add(window(tokenUrl, requests, tokenPid, routerPid, besides));
                    peers.add(window(node.url, requests, node.process.pid(), -1, new long[0]));
                }
                runs.add(new Run(ours, peers, JitWarmUp.compiled(tokenPid, ctx.log()) - compiledBefore,
                        ScriptStats.read(ctx).minus(scriptsBefore)));
            }
        }

        Section section = new Section("token-service: tokens/s at " + ctx.connections() + " connections"
                + (RUNS > 1 ? ", " + RUNS + " measured runs one after another after one warm-up" : ""));
        for (int r = 0; r < RUNS; r++) {
            describe(section, runs.get(r), RUNS > 1 ? "run " + (r + 1) + " of " + RUNS + ": " : "",
                    RUNS > 1 ? "run" + (r + 1) + "_" : "");
        }
        if (RUNS > 1) {
            section.note("Agreement of the " + RUNS + " runs (largest deviation from their mean): ratio to Node "
                    + agreement(runs, run -> run.oursRate() / run.peerRate()) + "; token-service tokens/s "
                    + agreement(runs, Run::oursRate) + "; CPU per token " + agreement(runs, Run::lkfleetCpuPerToken)
                    + " (issue 15: within ±15 %).");
        }
        double lkfleetCpuPerToken = runs.get(RUNS - 1).lkfleetCpuPerToken();
        double nodeCpuPerToken = runs.get(RUNS - 1).nodeCpuPerToken();
        return section
                .note("Warm-up: token-service under this load until its JIT settled (" + warm.describe() + "); Node "
                        + ctx.jvmWarmUp().toSeconds() + " s" + (RUNS > 1 ? "; once, before the first run" : "") + ".")
                .note("Full path: tenant API key (Bearer) → validation → routing in process (the routing library) →"
                        + " admission script on lkfleet's Redis → HS256 token for the routed region; no process hop. Joins: role subscriber (grants"
                        + " [\"subscribe\"]) into " + ROOMS + " rooms pinned before measuring, no publishers.")
                .note("Node peer: node:http + AccessToken.toJwt() (livekit-server-sdk 2.19.2), 2 cluster workers,"
                        + " no auth, no routing. Same wrk script, same bodies.")
                .note("CPU per token counts the lkfleet JVMs (token-service, and region-router although no token passes"
                        + " through it any more: its registry polls and Kafka client) and the Node processes, not Redis,"
                        + " Kafka or wrk; 2 cores give " + Section.perSecond(2000 / lkfleetCpuPerToken)
                        + " tokens at most for the lkfleet JVMs alone, " + Section.perSecond(2000 / nodeCpuPerToken)
                        + " for Node, if nothing else ran" + (RUNS > 1 ? " (last run)" : "") + ".")
                .raw("jit_warm_up", Map.of("compiled_after_slice", warm.compiledAfterSlice(), "settled", warm.settled(),
                        "seconds", warm.took().toSeconds()))
                .raw("runs", RUNS);
    }

    /** The rows and raw figures of one run; {@code label} and {@code key} tell runs apart when there are several. */
    private void describe(Section section, Run run, String label, String key) {
        List<Window> ours = run.ours();
        List<Window> peers = run.peers();
        double oursRate = run.oursRate();
        double peerRate = run.peerRate();
        double[] ratios = java.util.stream.IntStream.range(0, WINDOWS)
                .mapToDouble(i -> ours.get(i).rate() / peers.get(i).rate()).sorted().toArray();
        double pairRatio = ratios.length % 2 == 1 ? ratios[ratios.length / 2]
                : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
        double redisCpu = median(ours, Window::redisCpuMsPerToken);
        double kafkaCpu = median(ours, Window::kafkaCpuMsPerToken);
        double oursP50 = median(ours, w -> w.wrk().p50Us() / 1e3);
        double peerP50 = median(peers, w -> w.wrk().p50Us() / 1e3);
        double tokenCpuPerToken = median(ours, Window::cpuMsPerToken);
        double routerCpuPerToken = median(ours, Window::routerCpuMsPerToken);
        ScriptStats scripts = run.scripts();
        section.row(label + "token-service tokens/s (201 only), median of " + WINDOWS + " windows", Section.perSecond(oursRate),
                        "Node livekit-server-sdk endpoint: " + Section.perSecond(peerRate), Section.ratio(oursRate, peerRate))
                .row(label + "tokens/s ratio of each window pair (token-service ÷ the Node window right after it), median",
                        String.format("%.2f", pairRatio) + " (pairs: " + java.util.Arrays.stream(ratios)
                                .mapToObj(r -> String.format("%.2f", r)).reduce((a, b) -> a + ", " + b).orElse("") + ")",
                        "", Section.ratio(pairRatio, 1))
                .row(label + "token-service p50 / p99 (medians)", Section.ms(oursP50) + " / " + Section.ms(run.oursP99()),
                        "Node: " + Section.ms(peerP50) + " / " + Section.ms(run.peerP99()),
                        "p99 " + Section.ratio(run.oursP99(), run.peerP99()))
                .row(label + "CPU per token (process CPU time / requests, median window)",
                        "token-service " + Section.ms(tokenCpuPerToken) + " + region-router (off the path) "
                                + Section.ms(routerCpuPerToken),
                        "Node (2 workers): " + Section.ms(run.nodeCpuPerToken()),
                        Section.ratio(run.lkfleetCpuPerToken(), run.nodeCpuPerToken()))
                .row(label + "CPU per token on the path outside lkfleet's JVMs (median window)", "lkfleet's Redis (admit.lua) "
                        + Section.ms(redisCpu) + " + Kafka broker (fleet.decisions) " + Section.ms(kafkaCpu),
                        "Node's path has neither", "")
                .row(label + "of which the admission script itself (Redis's INFO commandstats over token-service's windows)",
                        String.format("%.1f µs per EVALSHA (%,d calls; the rest of Redis's CPU per token is outside the script: reading,"
                                + " parsing and answering each command, and other clients' calls)", scripts.microsPerCall(), scripts.calls()), "", "")
                .note(label + "Goal (issue 15): ≥ 0.5× the Node endpoint's tokens/s, p99 ≤ 2× Node's, CPU per token over every"
                        + " lkfleet process ≤ 2× Node's — " + (run.goal() ? "met" : "NOT met") + " in this run (medians).")
                .note(label + "Measured in " + WINDOWS + " alternating windows of " + WINDOW.toSeconds() + " s each, token-service"
                        + " and Node in turn, so both get the same share of the shared box; per window (tokens/s, p99, CPU"
                        + " per token): token-service " + perWindow(ours) + "; Node " + perWindow(peers) + "; "
                        + run.compiledInWindows() + " methods compiled by token-service during its measured windows.")
                .note(label + "token-service status mix: " + mix(ours) + "; Node status mix: " + mix(peers) + ".")
                .raw(key + "token_service_windows", ours).raw(key + "node_endpoint_windows", peers)
                .raw(key + "goal_met", run.goal()).raw(key + "compiled_in_measured_windows", run.compiledInWindows())
                .raw(key + "cpu_ms_per_token", Map.of("token_service", tokenCpuPerToken, "region_router", routerCpuPerToken,
                        "node_endpoint", run.nodeCpuPerToken(), "redis_fleet", redisCpu, "kafka", kafkaCpu))
                .raw(key + "pair_ratio_median", pairRatio)
                .raw(key + "redis_evalsha", Map.of("calls", scripts.calls(), "usec", scripts.micros(),
                        "usec_per_call", scripts.microsPerCall()));
    }

    /** The runs' mean of {@code figure} and the largest deviation from it, in per cent. */
    private static String agreement(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
        double mean = runs.stream().mapToDouble(figure).average().orElse(0);
        double deviation = runs.stream().mapToDouble(r -> Math.abs(figure.applyAsDouble(r) - mean) / mean).max().orElse(0);
        String format = mean >= 100 ? "%,.0f" : "%.3f";
        return String.format("mean " + format + ", ±%.1f %% (%s)", mean, 100 * deviation, runs.stream()
                .map(r -> String.format(format, figure.applyAsDouble(r))).reduce((a, b) -> a + ", " + b).orElse(""));
    }

    private Window window(String url, Path requests, long pid, long routerPid, long[] besides) {
        long[] pids = {pid, routerPid, besides.length > 0 ? besides[0] : -1, besides.length > 1 ? besides[1] : -1};
        long[] before = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            before[i] = pids[i] < 0 ? 0 : Procs.cpuMillis(pids[i]);
        }
        Wrk.Result result = ctx.wrk().run(url, requests, "application/json", ctx.connections(), WINDOW);
        double[] perToken = new double[pids.length];
        for (int i = 0; i < pids.length; i++) {
            perToken[i] = pids[i] < 0 ? 0 : (Procs.cpuMillis(pids[i]) - before[i]) / (double) result.requests();
        }
        return new Window(result, perToken[0], perToken[1], perToken[2], perToken[3]);
    }

    static double median(List<Window> windows, java.util.function.ToDoubleFunction<Window> figure) {
        double[] values = windows.stream().mapToDouble(figure).sorted().toArray();
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static String perWindow(List<Window> windows) {
        return windows.stream().map(w -> Section.perSecond(w.rate()) + " " + Section.ms(w.wrk().p99Us() / 1e3) + " "
                + Section.ms(w.cpuMsPerToken() + w.routerCpuMsPerToken())).reduce((a, b) -> a + " · " + b).orElse("");
    }

    private static String mix(List<Window> windows) {
        java.util.TreeMap<String, Long> statuses = new java.util.TreeMap<>();
        long socketErrors = 0;
        for (Window w : windows) {
            w.wrk().statuses().forEach((status, count) -> statuses.merge(status, count, Long::sum));
            socketErrors += w.wrk().socketErrors();
        }
        return statuses.entrySet().stream().map(e -> e.getKey() + "×" + e.getValue()).reduce((a, b) -> a + ", " + b)
                .orElse("none") + (socketErrors > 0 ? ", socket errors×" + socketErrors : "");
    }

    /**
     * One subscriber join per room through the whole path, so every room is pinned (CreateRoom)
     * before measuring. Ten at a time, and a 503 (e.g. state-unavailable while the shared box is busy)
     * is retried after its Retry-After: the benchmark measures joins to pinned rooms, not this set-up.
     */
    static void precreateRooms(String tokenUrl) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int batch = 0; batch < ROOMS; batch += 10) {
            List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = batch; i < Math.min(ROOMS, batch + 10); i++) {
                answers.add(createRoom(http, tokenUrl, i, 5));
            }
            for (var answer : answers) {
                var response = answer.get(120, java.util.concurrent.TimeUnit.SECONDS);
                if (response.statusCode() != 201) {
                    throw new IllegalStateException("pre-creating a room through token-service: " + response.statusCode()
                            + " " + response.body());
                }
            }
        }
    }

    private static java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> createRoom(
            java.net.http.HttpClient http, String tokenUrl, int room, int attemptsLeft) {
        String[] authAndBody = line(room, "warm-" + room).split("\t", 2);
        return http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(tokenUrl))
                .timeout(Duration.ofSeconds(30)).header("Authorization", authAndBody[0])
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(authAndBody[1])).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
                    if (response.statusCode() != 503 || attemptsLeft <= 1) {
                        return java.util.concurrent.CompletableFuture.completedFuture(response);
                    }
                    long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
                    return java.util.concurrent.CompletableFuture.supplyAsync(() -> null,
                            java.util.concurrent.CompletableFuture.delayedExecutor(wait, java.util.concurrent.TimeUnit.SECONDS))
                            .thenCompose(ignored -> createRoom(http, tokenUrl, room, attemptsLeft - 1));
                });
    }

    /** The phase's wrk requests: subscriber joins of the dev tenant into its pinned rooms. */
    static List<String> requests() {
        List<String> lines = new ArrayList<>(REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            lines.add(line(i % ROOMS, "viewer-" + i));
        }
        return lines;
    }

    private static String line(int room, String identity) {
        return "Bearer " + TENANT_KEY + "\t{\"room_name\":\"" + room(room) + "\",\"participant_identity\":\"" + identity
                + "\",\"grants\":[\"subscribe\"]}";
    }
}
