package io.lkfleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.RedisUsers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Room churn for a long while (issue 13.6), all at once: real WebRTC participants joining fresh rooms
 * through token-service and leaving (LiveKit's own webhooks follow), synthetic signed webhook sessions
 * of rooms LiveKit does not run, and abandoned joins (a token nobody uses: a reservation that expires,
 * a pin, a room LiveKit closes empty). Every {@link #SAMPLE_EVERY} lkfleet Redis's {@code used_memory}
 * and key count and every JVM's RSS are sampled; a line fitted over the samples after the warm-up gives
 * each one's slope ± its standard error per hour, beside the 20 MB/h leak threshold.
 */
final class SoakBench {
    /** A memory slope at or above this is a leak (the guide). */
    static final double LEAK_MB_PER_HOUR = 20;
    /** A key count is flat when it grows by less than this share of its mean per hour. */
    private static final double KEY_GROWTH_PER_HOUR = 0.05;
    private static final Duration LENGTH = Duration.ofMinutes(Long.getLong("bench.soak-minutes", 30));
    private static final Duration WARM_UP = Duration.ofMinutes(Long.getLong("bench.soak-warmup-minutes", 10));
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    /** Every this many samples each JVM's heap is measured after a full GC (jcmd GC.run): what it keeps alive. */
    private static final int LIVE_HEAP_EVERY = 21;
    private static final Pattern HEAP_USED = Pattern.compile("(def new generation|tenured generation)\\s+total \\d+K, used (\\d+)K");
    /** NMT summary.diff (scale KB): the total's and each category's committed change since the baseline. */
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB(?: [+-]\\d+KB)?, committed=\\d+KB(?: ([+-]\\d+)KB)?");
    private static final Pattern NMT_CATEGORY = Pattern.compile(
            "(?m)^-\\s+(.+?) \\(reserved=\\d+KB(?: [+-]\\d+KB)?, committed=\\d+KB(?: ([+-]\\d+)KB)?\\)");
    /** Synthetic sessions: one starts every second and lasts ~17 s (12 events). */
    private static final long SESSION_EVERY_MS = 1_000;
    private static final long ABANDONED_TOKEN_EVERY_MS = 2_000;
    /** The settings the soak shortens (bench/run sets them) so expiry shows within the run. */
    static final List<String> WINDOWS = List.of("CAPACITY_FINISHED_ROOM_TTL", "CAPACITY_EVENTS_APPLIED_RETENTION",
            "ROUTING_PIN_TTL", "ROUTING_RESERVATION_TTL");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One sample: seconds since the start, Redis's used_memory and keys, live rooms, each JVM's RSS (MB). */
    record Sample(double at, long usedMemory, long keys, long liveRooms, Map<String, Double> rssMb,
            Map<String, Double> liveHeapMb, Map<String, Integer> threads, String load) {
    }

    /**
     * One JVM's native memory at a live-heap point after the warm-up, against its NMT baseline taken at
     * the first such point: RSS growth, what NMT saw committed since (total and by category, KB), threads.
     */
    record NativeGrowth(double at, double rssGrowthMb, long nmtCommittedKb, Map<String, Long> byCategoryKb,
            int threads) {
    }

    /** A least-squares line through (hours, value): slope per hour and its standard error. */
    record Fit(double slope, double error, double mean, double first, double last, int points) {
        static Fit of(List<double[]> points) {
            int n = points.size();
            double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
            double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
            double sxx = 0;
            double sxy = 0;
            for (double[] p : points) {
                sxx += (p[0] - mx) * (p[0] - mx);
                sxy += (p[0] - mx) * (p[1] - my);
            }
            double slope = sxx == 0 ? 0 : sxy / sxx;
            double residuals = 0;
            for (double[] p : points) {
                double r = p[1] - (my + slope * (p[0] - mx));
                residuals += r * r;
            }
            double error = n > 2 && sxx > 0 ? Math.sqrt(residuals / (n - 2) / sxx) : Double.NaN;
            return new Fit(slope, error, my, n == 0 ? 0 : points.get(0)[1], n == 0 ? 0 : points.get(n - 1)[1], n);
        }

        Map<String, Object> raw() {
            return Map.of("slope_per_h", slope, "stderr_per_h", error, "mean", mean, "first", first, "last", last,
                    "points", points);
        }
    }

    private final BenchContext ctx;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final AtomicInteger webhooks = new AtomicInteger();
    private final Map<Integer, AtomicInteger> webhookByStatus = new java.util.concurrent.ConcurrentHashMap<>();
    /** What the HTTP client failed with (no answer at all), by exception class. */
    private final Map<String, AtomicInteger> webhookErrors = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final Map<Integer, AtomicInteger> abandonedByStatus = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger rtcRooms = new AtomicInteger();
    private final AtomicInteger rtcJoins = new AtomicInteger();
    private final AtomicInteger rtcJoinsOk = new AtomicInteger();
    private final AtomicInteger rtcCycleFailures = new AtomicInteger();
    private volatile boolean stopping;
    /** Per JVM: its RSS when its NMT baseline was taken, then its native growth at each later live-heap point. */
    private final Map<String, Double> nmtBaselineRssMb = new LinkedHashMap<>();
    private final Map<String, List<NativeGrowth>> nativeGrowth = new LinkedHashMap<>();
    /** Per JVM: what glibc gave back when asked to trim its heap after the run (jcmd System.trim_native_heap). */
    private final Map<String, String> trimmed = new LinkedHashMap<>();

    SoakBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    Section run() throws Exception {
        Vertx vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, ctx.fleet().layout().fleetRedisUri(RedisUsers.ADMIN));
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
        Map<String, WebhookSigner> signers = ctx.fleet().layout().regions().keySet().stream()
                .collect(Collectors.toMap(r -> r, r -> new WebhookSigner(ctx.region(r))));
        List<String> regions = List.copyOf(signers.keySet());
        jitWarmUp();
        long started = System.nanoTime();
        Thread churn = new Thread(this::rtcChurn, "rtc-churn");
        try {
            churn.start();
            load.scheduleAtFixedRate(() -> session(load, regions, signers), 0, SESSION_EVERY_MS, TimeUnit.MILLISECONDS);
            load.scheduleAtFixedRate(this::abandonedToken, 500, ABANDONED_TOKEN_EVERY_MS, TimeUnit.MILLISECONDS);
            long end = started + LENGTH.toNanos();
            while (System.nanoTime() < end) {
                boolean liveHeap = samples.size() % LIVE_HEAP_EVERY == 0;
                samples.add(sample(redis, (System.nanoTime() - started) / 1e9, liveHeap));
                Sample last = samples.get(samples.size() - 1);
                if (liveHeap && last.at() >= WARM_UP.toSeconds()) {
                    nativeMemory(last);
                }
                System.out.printf("bench: soak %.0f s: used_memory %.1f MB, %d keys, %d live rooms, RSS %s, threads %s,"
                        + " load %s%n", last.at(), last.usedMemory() / 1e6, last.keys(), last.liveRooms(), last.rssMb(),
                        last.threads(), last.load());
                Thread.sleep(SAMPLE_EVERY.toMillis());
            }
        } finally {
            stopping = true;
            load.shutdown();
            load.awaitTermination(1, TimeUnit.MINUTES);
            churn.join(TimeUnit.MINUTES.toMillis(3));
        }
        trimNativeHeaps();
        try {
            return report();
        } finally {
            redis.close();
            vertx.close();
        }
    }

    /**
     * The token phase's load first (100 rooms created through token-service, then wrk into them for
     * {@link BenchContext#jvmWarmUp}): at the soak's own ~1 token/s the JIT would still be compiling
     * token-service's path an hour in (its code cache grew ~4 MB in 15 min, each big C2 compilation
     * borrowing ~25 MB of C heap), and the slope would measure compilation, not what stays.
     */
    private void jitWarmUp() throws Exception {
        String tokenUrl = ctx.serviceUrl("token-service") + "/v1/token";
        TokenBench.precreateRooms(tokenUrl);
        ctx.wrk().run(tokenUrl, Wrk.requestFile(ctx.workDir().resolve("token-requests.txt"), TokenBench.requests()),
                "application/json", ctx.connections(), ctx.jvmWarmUp());
    }

    private Section report() {
        double warmUpS = WARM_UP.toSeconds();
        List<Sample> fitted = samples.stream().filter(s -> s.at() >= warmUpS).toList();
        Section section = new Section("soak: " + LENGTH.toMinutes() + " minutes of room churn");
        Map<String, Object> fits = new LinkedHashMap<>();
        Fit memory = Fit.of(points(fitted, s -> s.usedMemory() / 1e6));
        fits.put("redis_used_memory_mb", memory.raw());
        section.row("lkfleet Redis used_memory, slope after warm-up", slope(memory, "MB"),
                "leak threshold " + (int) LEAK_MB_PER_HOUR + " MB/h", memoryVerdict(memory));
        Fit keys = Fit.of(points(fitted, s -> (double) s.keys()));
        fits.put("redis_keys", keys.raw());
        // a count that falls is not a leak; one that rises is, unless by less than the threshold or within its error
        boolean keysFlat = keys.slope() < KEY_GROWTH_PER_HOUR * keys.mean() || keys.slope() <= 2 * keys.error();
        section.row("lkfleet Redis keys, slope after warm-up", String.format("%+,.0f ± %,.0f keys/h (%,.0f → %,.0f, mean %,.0f)",
                        keys.slope(), keys.error(), keys.first(), keys.last(), keys.mean()),
                "flat: under " + (int) (KEY_GROWTH_PER_HOUR * 100) + "% of the mean per hour", keysFlat ? "flat" : "GROWS");
        for (String jvm : fitted.isEmpty() ? List.<String>of() : fitted.get(0).rssMb().keySet()) {
            Fit rss = Fit.of(points(fitted, s -> s.rssMb().getOrDefault(jvm, Double.NaN)));
            fits.put("rss_mb_" + jvm, rss.raw());
            Fit heap = Fit.of(points(fitted, s -> s.liveHeapMb().getOrDefault(jvm, Double.NaN)));
            fits.put("live_heap_mb_" + jvm, heap.raw());
            section.row(jvm + " RSS, slope after warm-up", slope(rss, "MB"),
                    "leak threshold " + (int) LEAK_MB_PER_HOUR + " MB/h; heap after a full GC: " + slope(heap, "MB")
                            + ", " + heap.points() + " points", memoryVerdict(rss));
        }
        nativeGrowth.forEach((jvm, points) -> {
            NativeGrowth last = points.get(points.size() - 1);
            String top = last.byCategoryKb().entrySet().stream().filter(e -> Math.abs(e.getValue()) >= 512)
                    .sorted((a, b) -> Long.compare(Math.abs(b.getValue()), Math.abs(a.getValue())))
                    .map(e -> String.format("%s %+.1f", e.getKey(), e.getValue() / 1e3)).collect(Collectors.joining(", "));
            section.row(jvm + " native memory since its NMT baseline (" + Math.round(last.at() - points.get(0).at()
                            + LIVE_HEAP_EVERY * SAMPLE_EVERY.toSeconds()) + " s)",
                    String.format("RSS %+.1f MB; NMT committed %+.1f MB (%s); %d threads", last.rssGrowthMb(),
                            last.nmtCommittedKb() / 1e3, top.isEmpty() ? "no category ±0.5 MB" : top, last.threads()),
                    "RSS growth NMT does not see: malloc outside the JVM's accounting, or freed memory glibc keeps",
                    String.format("%+.1f MB unseen", last.rssGrowthMb() - last.nmtCommittedKb() / 1e3));
        });
        trimmed.forEach((jvm, result) -> section.row(jvm + ": glibc trim after the run (System.trim_native_heap)", result,
                "", ""));
        int rtcOk = rtcJoinsOk.get();
        section.row("load over the run", String.format("%,d real rooms (%,d of %,d rtc-node joins ok), %,d synthetic"
                        + " sessions (%,d signed webhooks, by status %s, -1 = no answer: %s), %,d abandoned tokens (by status %s)",
                        rtcRooms.get(), rtcOk, rtcJoins.get(), sessions.get(), webhooks.get(), webhookByStatus, webhookErrors,
                        abandoned.get(),
                        abandonedByStatus), "", "");
        Map<String, String> windows = new LinkedHashMap<>();
        WINDOWS.forEach(w -> windows.put(w, System.getenv().getOrDefault(w, "(default)")));
        windows.put("JAVA_TOOL_OPTIONS", System.getenv().getOrDefault("JAVA_TOOL_OPTIONS", ""));
        return section
                .note("Before the soak's clock starts, the token phase's load for " + ctx.jvmWarmUp().toSeconds()
                        + " s (" + TokenBench.ROOMS + " rooms created through token-service, then wrk into them), so the"
                        + " JIT has compiled token-service's path: at the soak's ~1 token/s it would still be compiling"
                        + " an hour in.")
                .note("Load, all at once for " + LENGTH.toMinutes() + " min: real @livekit/rtc-node participants"
                        + " (tools/rtc-client/join-load.mjs, cycles of 2 fresh rooms × 3: a publisher with audio + video"
                        + " and 2 subscribers, tokens from token-service, 10 s in the room, then leave; LiveKit's own"
                        + " webhooks follow through webhook-ingest); a synthetic session every " + SESSION_EVERY_MS
                        + " ms alternating regions (room_started, 3 joins, 2 tracks, ~13 s later 2 unpublishes, 3 leaves,"
                        + " room_finished: 12 events signed as LiveKit signs them, POSTed to webhook-ingest); a token for a"
                        + " fresh room that nobody uses every " + ABANDONED_TOKEN_EVERY_MS + " ms (its reservation"
                        + " expires, routing's pin stays for routing.pin-ttl, LiveKit closes the empty room).")
                .note("Sampled every " + SAMPLE_EVERY.toSeconds() + " s: INFO memory used_memory and DBSIZE of lkfleet's"
                        + " Redis (as lkfleet-admin), live rooms = SCARD of each region's rooms set, VmRSS of every JVM of"
                        + " the fleet (the 4 services and the Kafka broker; -Xmx256m -XX:+UseSerialGC, Kafka -Xmx512m)."
                        + " Line fitted by least squares over the samples after a " + WARM_UP.toMinutes() + "-min warm-up ("
                        + fitted.size() + " points); ± is the slope's standard error, which ignores the samples'"
                        + " autocorrelation, so read it as a lower bound. MB = 10^6 bytes. Every "
                        + LIVE_HEAP_EVERY * SAMPLE_EVERY.toSeconds() + " s each JVM is also made to collect fully (jcmd"
                        + " GC.run) and its heap read (GC.heap_info): what it keeps alive, the leak's own measure; RSS"
                        + " also holds heap the JVM touched once and keeps committed, up to -Xmx.")
                .note("Expiry windows shortened for this run so a finished room's, an applied event id's and a pin's"
                        + " expiry happen several times within it (defaults: capacity.finished-room-ttl 1h,"
                        + " capacity.events.applied-retention 24h, routing.pin-ttl 30m, routing.reservation-ttl 30s): "
                        + windows)
                .note("JVM options from the environment (JAVA_TOOL_OPTIONS, every JVM of the run): '"
                        + windows.get("JAVA_TOOL_OPTIONS") + "'. bench/run sets -XX:+AlwaysPreTouch for the soak: each"
                        + " heap is resident from the JVM's start (up to -Xms; the services' 256 MB whole, Kafka's"
                        + " 128 MB of 512 MB), so RSS does not climb merely as the collector first touches heap pages.")
                .note("Native memory: every JVM runs with -XX:NativeMemoryTracking=summary (bench/run); at the first"
                        + " full-GC point after the warm-up each takes an NMT baseline, at every later one a summary.diff"
                        + " (the last one whole in bench/target/run/soak-nmt-<jvm>.txt). After the load each JVM's glibc"
                        + " heap is trimmed (malloc_trim): RSS it gives back was freed memory glibc kept, not memory in use.")
                .raw("fits", fits).raw("windows", windows).raw("native_growth", nativeGrowth).raw("trim_native_heap", trimmed)
                .raw("load", Map.of("rtc_rooms", rtcRooms.get(), "rtc_joins", rtcJoins.get(), "rtc_joins_ok", rtcOk,
                        "rtc_cycle_failures", rtcCycleFailures.get(), "synthetic_sessions", sessions.get(),
                        "synthetic_webhooks", webhooks.get(),
                        "webhook_by_status", Map.copyOf(webhookByStatus), "webhook_errors", Map.copyOf(webhookErrors),
                        "abandoned_tokens", abandoned.get(), "abandoned_by_status", Map.copyOf(abandonedByStatus)))
                .raw("samples", samples.stream().map(s -> Map.of("at_s", s.at(), "used_memory", s.usedMemory(),
                        "keys", s.keys(), "live_rooms", s.liveRooms(), "rss_mb", s.rssMb(), "live_heap_mb", s.liveHeapMb(),
                        "threads", s.threads(), "loadavg", s.load())).toList());
    }

    private static String slope(Fit fit, String unit) {
        return String.format("%+.2f ± %.2f %s/h (%.1f → %.1f %s)", fit.slope(), fit.error(), unit, fit.first(), fit.last(), unit);
    }

    private static String memoryVerdict(Fit fit) {
        return fit.slope() < LEAK_MB_PER_HOUR ? "flat" : "GROWS";
    }

    private static List<double[]> points(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value) {
        return samples.stream().map(s -> new double[] {s.at() / 3600.0, value.applyAsDouble(s)})
                .filter(p -> !Double.isNaN(p[1]) && p[1] >= 0).toList();
    }

    private Sample sample(Redis redis, double at, boolean liveHeap) throws Exception {
        long usedMemory = -1;
        for (String line : send(redis, Request.cmd(Command.INFO).arg("memory")).toString().split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                usedMemory = Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        long keys = send(redis, Request.cmd(Command.DBSIZE)).toLong();
        long rooms = 0;
        for (String region : ctx.fleet().layout().regions().keySet()) {
            rooms += send(redis, Request.cmd(Command.SCARD).arg(RedisKeys.rooms(region))).toLong();
        }
        Map<String, Double> rss = new LinkedHashMap<>();
        Map<String, Double> heap = new LinkedHashMap<>();
        Map<String, Integer> threads = new LinkedHashMap<>();
        for (Map.Entry<String, Long> jvm : jvms().entrySet()) {
            rss.put(jvm.getKey(), Procs.rssMib(jvm.getValue()) * 1.048576);
            threads.put(jvm.getKey(), Procs.threads(jvm.getValue()));
            if (liveHeap) {
                heap.put(jvm.getKey(), liveHeapMb(jvm.getValue()));
            }
        }
        String[] load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return new Sample(at, usedMemory, keys, rooms, rss, heap, threads,
                String.join(" ", java.util.Arrays.copyOf(load, 3)));
    }

    /**
     * Native Memory Tracking (bench/run starts the soak's JVMs with -XX:NativeMemoryTracking=summary): the
     * first call after the warm-up takes each JVM's baseline, later ones its summary.diff, so RSS growth can be
     * set beside what the JVM itself committed (heap, threads, code, metaspace, direct buffers in "Other"…);
     * growth NMT does not see is malloc'd outside the JVM's accounting or kept by glibc after free. The last
     * diff of each JVM is kept whole in the work directory.
     */
    private void nativeMemory(Sample sample) {
        for (Map.Entry<String, Long> jvm : jvms().entrySet()) {
            String name = jvm.getKey();
            String pid = Long.toString(jvm.getValue());
            try {
                if (!nmtBaselineRssMb.containsKey(name)) {
                    String out = Procs.run(List.of("jcmd", pid, "VM.native_memory", "baseline"), Map.of(), Duration.ofSeconds(30),
                            ctx.log());
                    if (out.contains("Baseline taken") || out.contains("Baseline succeeded")) {
                        nmtBaselineRssMb.put(name, sample.rssMb().get(name));
                    }
                    continue;
                }
                String diff = Procs.run(List.of("jcmd", pid, "VM.native_memory", "summary.diff", "scale=KB"), Map.of(),
                        Duration.ofSeconds(30), ctx.log());
                Files.writeString(ctx.workDir().resolve("soak-nmt-" + name + ".txt"), diff);
                Matcher total = NMT_TOTAL.matcher(diff);
                if (!total.find()) {
                    continue;
                }
                Map<String, Long> byCategory = new LinkedHashMap<>();
                Matcher category = NMT_CATEGORY.matcher(diff);
                while (category.find()) {
                    if (category.group(2) != null) {
                        byCategory.put(category.group(1).trim(), Long.parseLong(category.group(2)));
                    }
                }
                nativeGrowth.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(new NativeGrowth(sample.at(),
                        sample.rssMb().get(name) - nmtBaselineRssMb.get(name),
                        total.group(1) == null ? 0 : Long.parseLong(total.group(1)), byCategory, sample.threads().get(name)));
            } catch (RuntimeException | java.io.IOException e) {
                System.out.println("bench: soak NMT of " + name + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * After the load: asks glibc to give each JVM's freed native memory back (malloc_trim through jcmd
     * System.trim_native_heap, which prints RSS before and after). RSS that leaves here was freed memory
     * glibc's arenas kept, not memory in use.
     */
    private void trimNativeHeaps() {
        for (Map.Entry<String, Long> jvm : jvms().entrySet()) {
            try {
                String out = Procs.run(List.of("jcmd", Long.toString(jvm.getValue()), "System.trim_native_heap"), Map.of(),
                        Duration.ofSeconds(30), ctx.log());
                trimmed.put(jvm.getKey(), out.lines().filter(l -> l.contains("RSS")).findFirst().orElse(out.trim()));
            } catch (RuntimeException e) {
                trimmed.put(jvm.getKey(), "failed: " + e.getMessage());
            }
        }
    }

    /** Every JVM of the fleet by name: the services' instances and the Kafka broker. */
    private Map<String, Long> jvms() {
        Map<String, Long> pids = new LinkedHashMap<>();
        ctx.fleet().services().forEach((name, process) -> pids.put(name, process.pid()));
        pids.put("kafka", ctx.fleet().kafka().process().pid());
        return pids;
    }

    /** The JVM's heap right after a full GC (SerialGC's young + tenured generation), MB; NaN if jcmd failed. */
    private double liveHeapMb(long pid) {
        try {
            Procs.run(List.of("jcmd", Long.toString(pid), "GC.run"), Map.of(), Duration.ofSeconds(60), ctx.log());
            Matcher used = HEAP_USED.matcher(Procs.run(List.of("jcmd", Long.toString(pid), "GC.heap_info"), Map.of(),
                    Duration.ofSeconds(30), ctx.log()));
            long kib = 0;
            while (used.find()) {
                kib += Long.parseLong(used.group(2));
            }
            return kib * 1024 / 1e6;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static Response send(Redis redis, Request request) throws Exception {
        return redis.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Cycles of real participants in fresh rooms until the soak ends. */
    private void rtcChurn() {
        for (int cycle = 0; !stopping; cycle++) {
            int c = cycle;
            List<String> rooms = IntStream.range(0, 2).mapToObj(i -> "dev-soak-rtc-" + c + "-" + i).toList();
            // one room's clients nearer eu-west, the other's nearer eu-central: both regions churn
            Map<String, Object> spec = JoinBench.spec(ctx, "lkfleet", rooms, 3, 3, 10_000, 20_000);
            try {
                Path input = ctx.workDir().resolve("soak-rtc.json");
                Files.writeString(input, JSON.writeValueAsString(spec) + "\n");
                String out = Procs.run(List.of("node", ctx.repoRoot().resolve("tools/rtc-client/join-load.mjs").toString()),
                        Map.of(), Duration.ofMinutes(3), ctx.log(), input);
                rtcRooms.addAndGet(rooms.size());
                for (String line : out.split("\n")) {
                    JsonNode event = line.isBlank() ? null : JSON.readTree(line);
                    if (event != null && event.path("event").asText().equals("join")) {
                        rtcJoins.incrementAndGet();
                        if (event.path("ok").asBoolean()) {
                            rtcJoinsOk.incrementAndGet();
                        }
                    }
                }
            } catch (Exception e) {
                rtcCycleFailures.incrementAndGet();
                System.out.println("bench: soak rtc cycle " + c + " failed: " + e.getMessage());
            }
        }
    }

    /** One synthetic room session of 12 signed webhooks spread over ~17 s, posted to webhook-ingest. */
    private void session(ScheduledExecutorService load, List<String> regions, Map<String, WebhookSigner> signers) {
        if (stopping) {
            return;
        }
        int s = sessions.getAndIncrement();
        String region = regions.get(s % regions.size());
        WebhookSigner signer = signers.get(region);
        String room = "dev-soak-syn-" + s;
        AtomicInteger seq = new AtomicInteger();
        java.util.function.BiConsumer<Long, String[]> at = (delayMs, event) -> load.schedule(
                () -> post(signer, event(room, s, seq.getAndIncrement(), event[0], event[1], event[2])), delayMs,
                TimeUnit.MILLISECONDS);
        at.accept(0L, new String[] {"room_started", "", ""});
        for (int p = 0; p < 3; p++) {
            at.accept(500L + 300L * p, new String[] {"participant_joined", participant(s, p, "ACTIVE"), ""});
        }
        at.accept(2_000L, new String[] {"track_published", participant(s, 0, "ACTIVE"), track(s, true)});
        at.accept(2_100L, new String[] {"track_published", participant(s, 0, "ACTIVE"), track(s, false)});
        at.accept(15_000L, new String[] {"track_unpublished", participant(s, 0, "ACTIVE"), track(s, true)});
        at.accept(15_100L, new String[] {"track_unpublished", participant(s, 0, "ACTIVE"), track(s, false)});
        for (int p = 0; p < 3; p++) {
            at.accept(15_500L + 300L * p, new String[] {"participant_left", participant(s, p, "DISCONNECTED"), ""});
        }
        at.accept(17_000L, new String[] {"room_finished", "", ""});
    }

    private void post(WebhookSigner signer, byte[] body) {
        webhooks.incrementAndGet();
        http.sendAsync(HttpRequest.newBuilder(URI.create(ctx.serviceUrl("webhook-ingest") + "/webhook"))
                        .header("Content-Type", "application/webhook+json").header("Authorization", signer.authorization(body))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                    webhookByStatus.computeIfAbsent(error != null ? -1 : response.statusCode(), k -> new AtomicInteger())
                            .incrementAndGet();
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        webhookErrors.computeIfAbsent(cause.getClass().getSimpleName(), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                });
    }

    /** A token for a fresh room that nobody uses: a reservation that expires and a pin. */
    private void abandonedToken() {
        if (stopping) {
            return;
        }
        int g = abandoned.getAndIncrement();
        String body = "{\"room_name\":\"dev-soak-ghost-" + g + "\",\"participant_identity\":\"ghost\",\"grants\":[\"subscribe\"]}";
        http.sendAsync(HttpRequest.newBuilder(URI.create(ctx.serviceUrl("token-service") + "/v1/token"))
                        .header("Authorization", "Bearer " + TokenBench.TENANT_KEY).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> abandonedByStatus
                        .computeIfAbsent(error != null ? -1 : response.statusCode(), k -> new AtomicInteger()).incrementAndGet());
    }

    private static byte[] event(String room, int s, int n, String type, String participant, String track) {
        String body = "{\"event\":\"" + type + "\",\"room\":{\"sid\":\"RM_soak_" + s + "\",\"name\":\"" + room
                + "\",\"emptyTimeout\":300}" + (participant.isEmpty() ? "" : "," + participant)
                + (track.isEmpty() ? "" : "," + track) + ",\"id\":\"EV_soak_" + s + "_" + n + "\",\"createdAt\":\""
                + Instant.now().getEpochSecond() + "\"}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static String participant(int s, int p, String state) {
        return "\"participant\":{\"sid\":\"PA_soak_" + s + "_" + p + "\",\"identity\":\"user-" + p + "\",\"state\":\""
                + state + "\"}";
    }

    private static String track(int s, boolean video) {
        return "\"track\":{\"sid\":\"TR_soak_" + s + (video ? "_v\",\"type\":\"VIDEO\",\"source\":\"CAMERA\"}"
                : "_a\",\"source\":\"MICROPHONE\"}");
    }
}
