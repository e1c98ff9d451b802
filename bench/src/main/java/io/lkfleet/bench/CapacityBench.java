package io.lkfleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.RedisUsers;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * capacity-service: webhook-shaped records produced to {@code livekit.webhooks} at a fixed rate,
 * the time until each event id shows in the region's {@code applied} set (event → Redis lag), the
 * pace at which a backlog is applied, and the rebuild endpoint's time (from LiveKit's present state).
 */
final class CapacityBench {
    static final String REGION = "eu-central";
    /** Offered rates for the lag table (issue 16.2): a quiet fleet, a busy one, a webinar ending. */
    private static final int[] FIXED_RATES = {500, 2_000, 5_000};
    private static final int WARM_UP_RATE = 2_000;
    private static final int BACKLOG = 50_000;
    /**
     * Event ids one ZMSCORE of the lag poll asks about. A poll asks about the pending ids oldest first,
     * this many at a time, and goes on to the next ones only while the last ones held an applied id: the
     * consumer applies about in send order, so a poll costs Redis what was applied since the last poll
     * plus one request, however far behind the consumer is. Asking about every pending id every 2 ms
     * loaded the Redis being measured in proportion to the lag; asking about this many in turns (session
     * 6) saw an applied id up to pending ÷ this polls late (8.5 s at 5,000/s, 2026-12-03-event-path.md).
     */
    private static final int LAG_POLL_IDS = 500;
    private static final int CEILING_REQUESTS = 100_000;
    /** Events per apply_event.lua call as capacity-service sends them (LoadStore.EVENTS_PER_CALL). */
    private static final int EVENTS_PER_CALL = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchContext ctx;
    private final Vertx vertx = Vertx.vertx();
    private final Redis redis;
    private final String applied = RedisKeys.appliedEvents(REGION);
    private long seq;

    CapacityBench(BenchContext ctx) {
        this.ctx = ctx;
        this.redis = Redis.createClient(vertx, ctx.fleet().layout().fleetRedisUri(RedisUsers.ADMIN));
    }

    Section run() throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaTools(ctx).producer(Map.of("linger.ms", "1"))) {
            Section section = new Section("capacity-service: events applied to Redis");
            // Not measured: like every HTTP phase, the path is warmed first (the producer's metadata and
            // producer id, capacity-service's JIT and Redis connections). Cold, the first events of a freshly
            // started consumer waited 1-3.5 s and the backlog took ~9 s to drain at 500/s (2026-12-03-event-path.md).
            fixedRate(producer, null, WARM_UP_RATE, ctx.warmUp());
            for (int rate : FIXED_RATES) {
                fixedRate(producer, section, rate, ctx.measure());
            }
            backlog(producer, section);
            rebuild(section);
            return section.note("Events: a room's history (room_started, participant_joined ×4, track_published video+audio"
                    + " of 2 publishers) as LiveKit's protojson, key region/room, lkfleet headers, region " + REGION
                    + "; produced with acks=all. Lag = first poll (every 2 ms: ZMSCOREs of fleet:{" + REGION
                    + "}:applied asking about the pending ids oldest first, " + LAG_POLL_IDS + " at a time, on while the"
                    + " last " + LAG_POLL_IDS + " held an applied one) that sees the id − the moment the record was"
                    + " handed to the producer. Before the"
                    + " measured rates, " + ctx.warmUp().toSeconds() + " s at " + WARM_UP_RATE + "/s warm the path (not measured).");
        } finally {
            redis.close();
            vertx.close();
        }
    }

    /** Events at {@code rate}/s for {@code length}; their lag is reported in {@code section}, or nowhere when null (a warm-up). */
    private void fixedRate(KafkaProducer<String, byte[]> producer, Section section, int rate, Duration length)
            throws Exception {
        int total = (int) (rate * length.toSeconds());
        long[] sentAt = new long[total];
        // event number → id, of the events sent and not yet seen applied, oldest first
        ConcurrentSkipListMap<Integer, String> pending = new ConcurrentSkipListMap<>();
        List<Long> lagsNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        // each applied event's second of the run (sent − start) beside its lag: where in the run the slow ones were
        List<long[]> lagBySecond = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] lastApplied = new long[1];
        long[] runStart = {System.nanoTime()};
        Thread poller = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Iterator<Map.Entry<Integer, String>> oldest = pending.entrySet().iterator();
                boolean found = true;
                while (found && oldest.hasNext()) {
                    List<Map.Entry<Integer, String>> asked = new ArrayList<>(LAG_POLL_IDS);
                    while (asked.size() < LAG_POLL_IDS && oldest.hasNext()) {
                        asked.add(oldest.next());
                    }
                    Request zmscore = Request.cmd(Command.create("ZMSCORE")).arg(applied);
                    asked.forEach(e -> zmscore.arg(e.getValue()));
                    Response scores = send(zmscore);
                    long now = System.nanoTime();
                    found = false;
                    for (int i = 0; i < asked.size(); i++) {
                        if (scores.get(i) != null) {
                            found = true;
                            pending.remove(asked.get(i).getKey());
                            long sent = sentAt[asked.get(i).getKey()];
                            lagsNanos.add(now - sent);
                            lagBySecond.add(new long[] {(sent - runStart[0]) / 1_000_000_000L, now - sent});
                            lastApplied[0] = now;
                        }
                    }
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "applied-poller");
        poller.start();
        long start = System.nanoTime();
        runStart[0] = start;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            // parking, not spinning: the servers under test share the machine's two cores
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            ProducerRecord<String, byte[]> record = nextEvent();
            sentAt[i] = System.nanoTime();
            pending.put(i, idOf(record));
            producer.send(record);
        }
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        poller.interrupt();
        poller.join();
        if (section == null) {
            return;
        }
        long[] lags = lagsNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double appliedRate = lags.length * 1e9 / (lastApplied[0] - start);
        section.row("applied events/s at a fixed " + rate + " events/s for " + length.toSeconds() + " s",
                        Section.perSecond(appliedRate), "offered: " + Section.perSecond(rate),
                        Section.ratio(appliedRate, rate))
                .row("event → Redis lag p50 / p99 at " + rate + " events/s",
                        Section.ms(percentile(lags, 50) / 1e6) + " / " + Section.ms(percentile(lags, 99) / 1e6),
                        rate == 5_000 ? "goal p99 ≤ 250 ms" : "", "")
                .raw("fixed_rate_" + rate, Map.of("offered_per_s", rate, "events", total, "applied", lags.length,
                        "not_applied_within_60s", pending.size(), "applied_per_s", appliedRate,
                        "lag_p50_ms", percentile(lags, 50) / 1e6, "lag_p99_ms", percentile(lags, 99) / 1e6,
                        "lag_max_ms", lags.length == 0 ? 0 : lags[lags.length - 1] / 1e6,
                        "lag_p99_max_ms_by_second", bySecond(lagBySecond)));
    }

    /** Per second of the run (by send time): the lag's p99 and max in ms, so a stall shows where it was. */
    private static List<String> bySecond(List<long[]> lagBySecond) {
        Map<Long, List<Long>> seconds = new java.util.TreeMap<>();
        synchronized (lagBySecond) {
            lagBySecond.forEach(l -> seconds.computeIfAbsent(l[0], k -> new ArrayList<>()).add(l[1]));
        }
        List<String> rows = new ArrayList<>();
        seconds.forEach((second, lags) -> {
            long[] sorted = lags.stream().mapToLong(Long::longValue).sorted().toArray();
            rows.add(second + "s: " + Math.round(percentile(sorted, 99) / 1e6) + "/" + Math.round(sorted[sorted.length - 1] / 1e6));
        });
        return rows;
    }

    /** A backlog produced as fast as the producer goes, then the time until every id is applied. */
    private void backlog(KafkaProducer<String, byte[]> producer, Section section) throws Exception {
        long before = send(Request.cmd(Command.ZCARD).arg(applied)).toLong();
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("capacity-service", ctx.fleet().services().get("capacity-service").pid());
        pids.put("lkfleet's Redis", ctx.fleetRedisPid());
        pids.put("Kafka broker", ctx.fleet().kafka().process().pid());
        CpuBudget budget = new CpuBudget(pids);
        CpuBudget.Snapshot cpuBefore = budget.take();
        long start = System.nanoTime();
        for (int i = 0; i < BACKLOG; i++) {
            producer.send(nextEvent());
        }
        producer.flush();
        long produced = System.nanoTime();
        long deadline = start + Duration.ofSeconds(120).toNanos();
        long count = 0;
        while (System.nanoTime() < deadline && (count = send(Request.cmd(Command.ZCARD).arg(applied)).toLong() - before) < BACKLOG) {
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> cpu = CpuBudget.perEventUs(cpuBefore, budget.take(), count);
        double rate = count / seconds;
        String[] ceiling = applyCeiling(EVENTS_PER_CALL);
        double ceilingRate = Double.parseDouble(ceiling[1]) * EVENTS_PER_CALL;
        String[] single = applyCeiling(1);
        double singleRate = Double.parseDouble(single[1]);
        section.row("applied events/s draining a backlog of " + BACKLOG, Section.perSecond(rate),
                        "redis-benchmark EVALSHA apply_event.lua, " + EVENTS_PER_CALL + " events a call as capacity-service"
                                + " calls it: " + Section.perSecond(ceilingRate) + " events/s",
                        Section.ratio(rate, ceilingRate))
                .row("the same backlog beside one event a call", Section.perSecond(rate),
                        "redis-benchmark EVALSHA apply_event.lua, 1 event a call: " + Section.perSecond(singleRate),
                        Section.ratio(rate, singleRate))
                .row("CPU per event draining the backlog", CpuBudget.describe(cpu), "", "")
                .note("Backlog: produced as fast as the producer goes (" + Section.perSecond(BACKLOG * 1e9 / (produced
                        - start)) + "), then applied by capacity-service a poll at a time (up to max.poll.records, one"
                        + " Redis pipeline each). Ceiling: redis-benchmark -c " + ctx.connections() + " -n "
                        + CEILING_REQUESTS + " EVALSHA of capacity-service's apply_event.lua as capacity-service loads"
                        + " it (common's redis_keys.lua, model_gate.lua, room_assignment.lua, apply_event.lua), in db 1"
                        + " of lkfleet's"
                        + " Redis, " + EVENTS_PER_CALL + " events a call (as capacity-service sends them; events/s = calls/s × "
                        + EVENTS_PER_CALL + ") and 1 event a call: each a participant_joined of a new event id opening a"
                        + " new room, so every event applies (none is a cheap duplicate) and no hash grows across calls.")
                .note("CPU per event of the backlog: each process's user + system time from the first record produced"
                        + " to the last applied ÷ the events applied (the broker's includes taking the bench's produce);"
                        + " the rest of the box is /proc/stat's busy time less those processes (the bench's producer and"
                        + " poller, livekit-server, the other services, anything else on the machine).")
                .raw("cpu_us_per_event_backlog", cpu)
                .raw("backlog", Map.of("events", BACKLOG, "applied", count, "seconds", seconds, "applied_per_s", rate,
                        "produce_seconds", (produced - start) / 1e9))
                .raw("redis_benchmark_evalsha_apply_event", Map.of("events_per_call", EVENTS_PER_CALL,
                        "events_per_s", ceilingRate, "avg_ms", ceiling[2], "p50_ms", ceiling[4], "p99_ms", ceiling[6]))
                .raw("redis_benchmark_evalsha_apply_event_single", Map.of("requests_per_s", singleRate, "avg_ms", single[2],
                        "p50_ms", single[4], "p99_ms", single[6]));
    }

    /**
     * What Redis alone executes of the apply script, {@code eventsPerCall} events a call: redis-benchmark's
     * CSV row (test, calls/s, avg, min, p50, p95, p99, max). The script's text is composed as common's
     * LuaScript.load composes it.
     */
    private String[] applyCeiling(int eventsPerCall) throws Exception {
        AdminRedis admin = new AdminRedis(ctx);
        Path script = ctx.workDir().resolve("apply_event.bench.lua");
        StringBuilder source = new StringBuilder("#!lua\n");
        for (String part : List.of("common/src/main/resources/io/lkfleet/common/redis/redis_keys.lua",
                "capacity-service/src/main/resources/io/lkfleet/capacity/store/model_gate.lua",
                "capacity-service/src/main/resources/io/lkfleet/capacity/store/room_assignment.lua",
                "capacity-service/src/main/resources/io/lkfleet/capacity/store/apply_event.lua")) {
            source.append(Files.readString(ctx.repoRoot().resolve(part))).append('\n');
        }
        Files.writeString(script, source);
        String sha = Procs.run(admin.cli("-x", "SCRIPT", "LOAD"), admin.env(), Duration.ofSeconds(10), ctx.log(), script).trim();
        String r = "fleet:{bench-apply}:";
        // the model's gate writes a region only while its mark says rebuilt
        Procs.run(admin.cli("-n", "1", "SET", r + "model", RedisKeys.MODEL_REBUILT + "0"), admin.env(), Duration.ofSeconds(10),
                ctx.log());
        // __rand_int__: a new event id, room and participant each event (redis-benchmark -r)
        List<String> command = new ArrayList<>(List.of("--dbnum", "1", "-c", Integer.toString(ctx.connections()), "-n",
                Integer.toString(CEILING_REQUESTS / eventsPerCall), "-r", "1000000000", "--csv", "EVALSHA", sha, "3",
                r + "applied", r + "model", r + "snapshot", r, "1700", "32", "2500", "86400", "3600", ""));
        for (int i = 0; i < eventsPerCall; i++) {
            command.addAll(List.of("EV___rand_int__", "participant_joined", Long.toString(Instant.now().getEpochSecond()),
                    "cbench-__rand_int__", "RM_cbench", "PA___rand_int__", "", "", "", "1", "user-1", "", ""));
        }
        String out = Procs.run(admin.benchmark(command.toArray(String[]::new)), Map.of(), Duration.ofSeconds(120), ctx.log());
        Procs.run(admin.cli("-n", "1", "FLUSHDB"), admin.env(), Duration.ofSeconds(60), ctx.log());
        String row = out.lines().filter(l -> l.startsWith("\"EVALSHA")).findFirst()
                .orElseThrow(() -> new IllegalStateException("redis-benchmark printed no EVALSHA row (see " + ctx.log() + ")"));
        return row.replace("\"", "").split(",");
    }

    private void rebuild(Section section) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(ctx.serviceUrl("capacity-service") + "/v1/admin/regions/" + REGION + "/rebuild"))
                .header("Authorization", "Bearer " + ctx.fleet().layout().local().credentials().capacityAdminToken())
                .timeout(Duration.ofMinutes(3)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            section.row("rebuild (from LiveKit)", "HTTP " + response.statusCode(), "", "");
            return;
        }
        JsonNode result = JSON.readTree(response.body());
        long ms = result.path("tookMs").asLong();
        // the rebuild reads LiveKit's present state, not the topic: its time follows the live rooms
        section.row("rebuild of " + REGION + " from LiveKit's present state (the topic holds every event produced above)",
                        String.format("%.2f s", ms / 1000.0),
                        String.format("%,d rooms, %,d participants, %,d events written", result.path("rooms").asLong(),
                                result.path("participants").asLong(), result.path("events").asLong()), "")
                .raw("rebuild", JSON.convertValue(result, Map.class));
    }

    /** The next event of the current room. */
    private ProducerRecord<String, byte[]> nextEvent() {
        return roomHistoryEvent(REGION, "cbench-", "EV_cb", seq++, Instant.now().getEpochSecond());
    }

    /**
     * Event {@code n} of a stream of room histories in {@code region}, as webhook-ingest writes them to
     * the topic (LiveKit's protojson, key region/room, lkfleet headers): a room is 9 events, as LiveKit
     * would send them (room_started, participant_joined ×4, track_published video+audio of 2 publishers).
     */
    static ProducerRecord<String, byte[]> roomHistoryEvent(String region, String roomPrefix, String idPrefix, long n,
            long createdAt) {
        String room = roomPrefix + (n / 9);
        int step = (int) (n % 9);
        String roomJson = "\"room\":{\"sid\":\"RM_" + room + "\",\"name\":\"" + room + "\",\"emptyTimeout\":300}";
        String type;
        String rest = "";
        if (step == 0) {
            type = "room_started";
        } else if (step <= 4) {
            type = "participant_joined";
            rest = participant(room, step - 1);
        } else {
            type = "track_published";
            int publisher = (step - 5) / 2;
            boolean video = step % 2 == 1;
            rest = participant(room, publisher) + ",\"track\":{\"sid\":\"TR_" + room + "_" + step + "\""
                    + (video ? ",\"type\":\"VIDEO\",\"source\":\"CAMERA\"" : ",\"source\":\"MICROPHONE\"") + "}";
        }
        String id = idPrefix + n;
        String body = "{\"event\":\"" + type + "\"," + roomJson + (rest.isEmpty() ? "" : "," + rest) + ",\"id\":\"" + id
                + "\",\"createdAt\":\"" + createdAt + "\"}";
        return new ProducerRecord<>(Topics.WEBHOOKS, null, region + "/" + room, body.getBytes(StandardCharsets.UTF_8),
                WebhookHeaders.of(region, type, id).toKafka());
    }

    private static String participant(String room, int p) {
        return "\"participant\":{\"sid\":\"PA_" + room + "_" + p + "\",\"identity\":\"user-" + p + "\",\"state\":\"ACTIVE\"}";
    }

    private static String idOf(ProducerRecord<String, byte[]> record) {
        return WebhookHeaders.read(record.headers()).orElseThrow().eventId();
    }

    private Response send(Request request) {
        try {
            return redis.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Redis " + request.command() + " failed: " + e.getMessage(), e);
        }
    }

    static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[rank(sorted.length, p)];
    }

    static double percentile(double[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[rank(sorted.length, p)];
    }

    /** Index of the nearest-rank {@code p}th percentile among {@code n} sorted values. */
    private static int rank(int n, double p) {
        return Math.max(0, Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1));
    }
}
