package io.lkfleet.bench;

import io.lkfleet.common.contract.RedisKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * region-router's POST /v1/route at 50 concurrent clients, beside redis-benchmark running EVALSHA
 * of the same admission script on the same Redis as the ceiling: one admission per route decision
 * is the least any routing through one Redis costs.
 */
final class RouterBench {
    private static final int REQUESTS = 60_000;
    private static final long CEILING_REQUESTS = 150_000;

    private final BenchContext ctx;

    RouterBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    Section run() {
        String url = ctx.serviceUrl("region-router") + "/v1/route";
        String auth = "Bearer " + ctx.fleet().layout().local().credentials().routerCallerToken();
        List<String> lines = new ArrayList<>(REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            lines.add(auth + "\t{\"tenant\":\"dev\",\"room\":\"" + TokenBench.room(i % TokenBench.ROOMS) + "\",\"identity\":\"router-viewer-"
                    + i + "\",\"role\":\"subscriber\",\"allowed_regions\":[\"eu-west\",\"eu-central\"],\"jurisdictions\":[\"eu\"]}");
        }
        Path requests = Wrk.requestFile(ctx.workDir().resolve("route-requests.txt"), lines);
        ctx.wrk().run(url, requests, "application/json", ctx.connections(), ctx.warmUp());
        long routerPid = ctx.fleet().services().get("region-router").pid();
        long routerCpu = Procs.cpuMillis(routerPid);
        Wrk.Result ours = ctx.wrk().run(url, requests, "application/json", ctx.connections(), ctx.measure());
        double cpuPerDecision = (Procs.cpuMillis(routerPid) - routerCpu) / (double) ours.requests();
        double oursRate = ours.ratePerSecond(200);
        String[] ceiling = evalshaCeiling();
        double ceilingRate = Double.parseDouble(ceiling[1]);
        return new Section("region-router: route decisions/s at " + ctx.connections() + " concurrent clients")
                .row("region-router decisions/s (200 only)", Section.perSecond(oursRate),
                        "redis-benchmark EVALSHA admit.lua: " + Section.perSecond(ceilingRate), Section.ratio(oursRate, ceilingRate))
                .row("region-router p50 / p99", Section.ms(ours.p50Us() / 1e3) + " / " + Section.ms(ours.p99Us() / 1e3),
                        "EVALSHA: " + ceiling[4] + " ms / " + ceiling[6] + " ms", "")
                .row("region-router CPU per decision", Section.ms(cpuPerDecision), "", "")
                .note("region-router status mix: " + ours.statusMix() + ". Requests: role subscriber into the "
                        + TokenBench.ROOMS + " rooms pinned by the token benchmark (so the pinned-room path: region claim"
                        + " read, pin, admission script, decision to Kafka not awaited).")
                .note("Ceiling: redis-benchmark -c " + ctx.connections() + " -n " + CEILING_REQUESTS + " EVALSHA of"
                        + " routing/src/main/resources/io/lkfleet/routing/admission/admit.lua (SCRIPT LOAD first) on"
                        + " lkfleet's Redis, a subscriber join on a node of its own keys; its identity is fixed, so after"
                        + " the first call each one refreshes that identity's seat and its reservation set stays at one"
                        + " member, while the router's holds every reservation of the last routing.reservation-ttl (30 s).")
                .raw("region_router", ours).raw("region_router_cpu_ms_per_decision", cpuPerDecision)
                .raw("redis_benchmark_evalsha", Map.of("requests_per_s", ceilingRate, "avg_ms", ceiling[2],
                        "p50_ms", ceiling[4], "p95_ms", ceiling[5], "p99_ms", ceiling[6], "max_ms", ceiling[7]));
    }

    /** redis-benchmark's CSV row: test, rps, avg, min, p50, p95, p99, max. */
    private String[] evalshaCeiling() {
        AdminRedis redis = new AdminRedis(ctx);
        Path script = ctx.repoRoot().resolve("routing/src/main/resources/io/lkfleet/routing/admission/admit.lua");
        String sha = Procs.run(redis.cli("-x", "SCRIPT", "LOAD"), redis.env(), java.time.Duration.ofSeconds(10), ctx.log(),
                script).trim();
        long now = System.currentTimeMillis();
        String r = "{bench-ceiling}";
        // the region's model marked whole, as capacity-service does: else the script refuses at its first line
        Procs.run(redis.cli("SET", "fleet:" + r + ":model", RedisKeys.MODEL_REBUILT + now), redis.env(),
                java.time.Duration.ofSeconds(10), ctx.log());
        List<String> command = redis.benchmark("-c",
                Integer.toString(ctx.connections()), "-n", Long.toString(CEILING_REQUESTS), "--csv", "EVALSHA", sha, "9",
                "fleet:" + r + ":node:ND_bench", "fleet:" + r + ":node:ND_bench:reservations",
                "fleet:" + r + ":node:ND_bench:reserved", "fleet:" + r + ":room:dev-bench",
                "fleet:" + r + ":room:dev-bench:reservations", "fleet:" + r + ":room:dev-bench:reserved",
                "fleet:" + r + ":pin:dev-bench", "fleet:" + r + ":model", "fleet:" + r + ":tenant:dev:reservations",
                Long.toString(now), Long.toString(now + 30_000), "res-bench", "viewer", "S", "1700", "32", "2500",
                "650", "650000", "ND_bench", "1800000", "0", "0", "0", "dev", "10000000");
        String out = Procs.run(command, Map.of(), java.time.Duration.ofSeconds(120), ctx.log());
        String row = out.lines().filter(l -> l.startsWith("\"EVALSHA")).findFirst()
                .orElseThrow(() -> new IllegalStateException("redis-benchmark printed no EVALSHA row (see " + ctx.log() + ")"));
        String[] cells = row.replace("\"", "").split(",");
        return cells;
    }
}
