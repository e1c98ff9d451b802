package io.lkfleet.bench;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency at offered load (issue 15.2): token-service's full path and the Node endpoint each driven
 * open loop ({@link OpenLoop}) at 500, 1,000 and 2,000 tokens/s, p50 and p99 from when each request
 * was due. The same subscriber joins into the token phase's pinned rooms, each identity asked once.
 */
final class OfferedLoadBench {
    static final int[] RATES = {500, 1_000, 2_000};
    private static final Duration LEAD = Duration.ofSeconds(3);
    private static final int CONNECTIONS = 100;

    private final BenchContext ctx;

    OfferedLoadBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    Section run() throws Exception {
        String tokenUrl = ctx.serviceUrl("token-service") + "/v1/token";
        TokenBench.precreateRooms(tokenUrl);
        Path warmUp = Wrk.requestFile(ctx.workDir().resolve("offered-warm-up.txt"), TokenBench.requests());
        Map<Integer, OpenLoop.Result> ours = new LinkedHashMap<>();
        Map<Integer, OpenLoop.Result> peer = new LinkedHashMap<>();
        Vertx vertx = Vertx.vertx();
        JitWarmUp.Result warm;
        try (NodeTokenPeer node = NodeTokenPeer.start(ctx)) {
            warm = JitWarmUp.untilSettled(ctx.fleet().services().get("token-service").pid(), ctx.log(),
                    slice -> ctx.wrk().run(tokenUrl, warmUp, "application/json", ctx.connections(), slice));
            ctx.wrk().run(node.url, warmUp, "application/json", ctx.connections(), ctx.jvmWarmUp());
            // each rate on token-service, then on Node right after, so both see the same moment of the shared box
            for (int rate : RATES) {
                ours.put(rate, OpenLoop.run(vertx, tokenUrl, requests(rate), rate, LEAD, ctx.measure(), CONNECTIONS));
                peer.put(rate, OpenLoop.run(vertx, node.url, requests(rate), rate, LEAD, ctx.measure(), CONNECTIONS));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }

        Section section = new Section("token-service: latency at offered load (open loop)");
        for (int rate : RATES) {
            OpenLoop.Result o = ours.get(rate);
            OpenLoop.Result p = peer.get(rate);
            section.row(String.format("%,d tokens/s offered: p50 / p99", rate), Section.ms(o.p50Ms()) + " / "
                    + Section.ms(o.p99Ms()), "Node: " + Section.ms(p.p50Ms()) + " / " + Section.ms(p.p99Ms()),
                    "p99 " + Section.ratio(o.p99Ms(), p.p99Ms()));
        }
        List<String> mixes = new ArrayList<>();
        for (int rate : RATES) {
            mixes.add(rate + "/s: lkfleet " + mix(ours.get(rate)) + ", Node " + mix(peer.get(rate)));
        }
        return section
                .note("Open loop at a constant rate (as wrk2): request i is due at i / rate whether earlier ones were"
                        + " answered or not, and its latency counts from when it was due, so queueing in a stalled"
                        + " server shows (coordinated omission corrected). Driver: one Vert.x HTTP client in the bench"
                        + " JVM, up to " + CONNECTIONS + " keep-alive connections; each rate " + LEAD.toSeconds()
                        + " s not counted, then " + ctx.measure().toSeconds() + " s measured. Unanswered after 30 s"
                        + " counts as infinitely slow.")
                .note("Warmed with the token phase's wrk load first: token-service until its JIT settled ("
                        + warm.describe() + "), Node for " + ctx.jvmWarmUp().toSeconds() + " s. Each rate ran on"
                        + " token-service, then on Node right after."
                        + " Requests: subscriber joins of the dev tenant into the token phase's " + TokenBench.ROOMS
                        + " pinned rooms, a new identity each (each admission a new reservation); the same bodies to Node.")
                .note("Answers in the measured windows: " + String.join("; ", mixes) + ".")
                .raw("lkfleet", ours).raw("node_endpoint", peer);
    }

    /** Subscriber joins for one rate's run, identities of their own so no two runs refresh a seat. */
    private static List<String> requests(int rate) {
        List<String> lines = new ArrayList<>();
        for (String line : TokenBench.requests()) {
            lines.add(line.replace("\"participant_identity\":\"viewer-", "\"participant_identity\":\"offered-" + rate + "-"));
        }
        return lines;
    }

    private static String mix(OpenLoop.Result result) {
        StringBuilder text = new StringBuilder();
        result.statuses().forEach((status, count) -> text.append(text.length() == 0 ? "" : ", ").append(status)
                .append("×").append(count));
        return text + (result.failed() > 0 ? ", unanswered×" + result.failed() : "");
    }
}
