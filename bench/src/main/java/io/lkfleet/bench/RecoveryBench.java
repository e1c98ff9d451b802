package io.lkfleet.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * Recovery after lkfleet's Redis comes back empty, with a fleet of {@link #ROOMS} live rooms and
 * {@code livekit.webhooks} holding 100k, 1M and 5M events (issue 13.3): for each size, the time from
 * the empty Redis answering until admission answers 201 again (a token for an existing room) and
 * until the model holds every live room and participant again, once after a restart of Redis
 * (stopped, started empty) and once after a FLUSHALL. The history is produced straight to the topic
 * (rooms long gone, records as webhook-ingest writes them) while capacity-service is stopped, and its
 * group is then committed to the end, as if it had applied them all; a last round deletes every
 * record of the topic, as retention would, so every live room is older than what the topic holds.
 */
final class RecoveryBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROOMS = Integer.getInteger("bench.recovery-rooms", 500);
    /** Rooms (of {@link #ROOMS}) with real participants: a publisher with audio + video and a subscriber. */
    private static final int RTC_ROOMS = Integer.getInteger("bench.recovery-rtc-rooms", 10);
    private static final long[] TOPIC_SIZES = {100_000, 1_000_000, 5_000_000};
    private static final String GROUP = "capacity-service";
    private static final Pattern REBUILT = Pattern.compile("rebuilt region (\\S+) from LiveKit: wiped (\\d+) keys, (\\d+) rooms,"
            + " (\\d+) participants, (\\d+) events in (\\d+) ms");

    /** One recovery: how the model was lost, and the times from the empty Redis answering. */
    record Recovery(String topic, long records, String loss, double admitMs, double modelMs, long refusals,
            Map<String, Long> rebuildMs, String load) {
    }

    private final BenchContext ctx;
    private final KafkaTools kafka;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> regions;
    private final String probeRoom = "dev-recovery-rtc-0";
    private long produced;

    RecoveryBench(BenchContext ctx) {
        this.ctx = ctx;
        this.kafka = new KafkaTools(ctx);
        this.regions = List.copyOf(ctx.fleet().layout().regions().keySet());
    }

    Section run() throws Exception {
        kafka.awaitConsumed(GROUP, Topics.WEBHOOKS, Duration.ofMinutes(5));
        Process clients = joinRtcRooms();
        try {
            createEmptyRooms();
            int participants = 2 * RTC_ROOMS;
            Vertx vertx = Vertx.vertx();
            List<Recovery> runs = new ArrayList<>();
            try {
                awaitModel(vertx, participants, Duration.ofMinutes(3));
                for (long size : TOPIC_SIZES) {
                    double produceSeconds = fillTopicTo(size);
                    System.out.printf("bench: recovery: topic at %,d records (produced in %.1f s)%n", size, produceSeconds);
                    String topic = String.format("%,d events", size);
                    runs.add(recover(vertx, topic, size, "restarted empty", participants));
                    runs.add(recover(vertx, topic, size, "FLUSHALL", participants));
                }
                deleteAllRecords();
                runs.add(recover(vertx, "every record deleted (as retention would)", 0, "restarted empty", participants));
            } finally {
                vertx.close();
            }
            return report(runs, participants);
        } finally {
            Procs.stop(clients);
        }
    }

    private Section report(List<Recovery> runs, int participants) {
        Section section = new Section("recovery: lkfleet's Redis back empty, " + ROOMS + " live rooms");
        for (Recovery r : runs) {
            section.row("admission back / model complete after Redis " + r.loss() + ", topic: " + r.topic(),
                    Section.ms(r.admitMs()) + " / " + Section.ms(r.modelMs()),
                    "goal admission ≤ 5 s; rebuild per region (its own log): " + r.rebuildMs().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue() + " ms").collect(Collectors.joining(", "))
                            + "; load " + r.load(),
                    r.admitMs() <= 5_000 ? "met" : "NOT met");
        }
        double[] admits = runs.stream().mapToDouble(Recovery::admitMs).toArray();
        return section
                .note(ROOMS + " live rooms: " + (ROOMS - RTC_ROOMS) + " created through LiveKit's RoomService.CreateRoom"
                        + " (no participants, empty_timeout 1 h, spread over both regions, placed by LiveKit) and "
                        + RTC_ROOMS + " with real @livekit/rtc-node participants (tools/rtc-client/join-load.mjs: a"
                        + " publisher with audio + 320×240 simulcast video and a subscriber each, " + participants
                        + " participants, tokens from token-service). Real clients in all " + ROOMS + " rooms are more"
                        + " than two shared cores can carry; what the rebuild costs per room is the same ListParticipants"
                        + " call whether the room has participants or not, and the real ones show their participants and"
                        + " tracks come back.")
                .note("Topic: room histories of rooms LiveKit no longer has (9 events each, the capacity phase's record"
                        + " shape, as webhook-ingest writes them), produced straight to livekit.webhooks with a batching"
                        + " producer while capacity-service is stopped; its consumer group is then committed to the end"
                        + " and it is started again, as if it had applied them all, then warmed up by 3 untimed rebuilds"
                        + " of each region through the admin API (a production instance has long been warm). Loss: lkfleet's Redis stopped and"
                        + " started empty (its ACL users from the file), or FLUSHALL as lkfleet-admin. Clock starts when"
                        + " the empty Redis answers (after the restart) or when FLUSHALL returns.")
                .note("Admission back = first 201 from token-service POST /v1/token for " + probeRoom + " (a live room"
                        + " with real participants), polled every 20 ms (503 model-rebuilding until then; refusals"
                        + " counted in the JSON). Model complete = every region's mark says rebuilt and the regions'"
                        + " totals hold " + ROOMS + " rooms and " + participants + " participants, as before the loss,"
                        + " polled every 20 ms. Rebuild per region = capacity-service's own log line (claim → release).")
                .note(String.format("Flat: admission back in %.0f–%.0f ms over every topic size and loss.",
                        java.util.Arrays.stream(admits).min().orElse(0), java.util.Arrays.stream(admits).max().orElse(0)))
                .raw("runs", runs.stream().map(r -> Map.of("topic", r.topic(), "records", r.records(), "loss", r.loss(),
                        "admission_back_ms", r.admitMs(), "model_complete_ms", r.modelMs(), "refusals_before", r.refusals(),
                        "rebuild_ms", r.rebuildMs(), "loadavg", r.load())).toList())
                .raw("rooms", ROOMS).raw("rtc_rooms", RTC_ROOMS).raw("participants", participants);
    }

    /** Loses the model one way, then times admission and the model's return. */
    private Recovery recover(Vertx vertx, String topic, long records, String loss, int participants) throws Exception {
        awaitModel(vertx, participants, Duration.ofMinutes(1)); // whole before it is lost
        Path capacityLog = ctx.fleet().services().get("capacity-service").log();
        long logFrom = Files.size(capacityLog);
        long start;
        if (loss.equals("FLUSHALL")) {
            Procs.run(new AdminRedis(ctx).cli("FLUSHALL"), new AdminRedis(ctx).env(), Duration.ofSeconds(30), ctx.log());
            start = System.nanoTime();
        } else {
            ctx.fleet().stopRedis(LocalFleet.FLEET_REDIS);
            ctx.fleet().restartRedis(LocalFleet.FLEET_REDIS);
            start = System.nanoTime();
        }
        long refusals = 0;
        double admitMs = -1;
        double modelMs = -1;
        Redis redis = Redis.createClient(vertx, ctx.fleet().layout().fleetRedisUri(RedisUsers.ADMIN));
        try {
            long deadline = start + Duration.ofMinutes(2).toNanos();
            while ((admitMs < 0 || modelMs < 0) && System.nanoTime() < deadline) {
                if (admitMs < 0) {
                    int status = token();
                    if (status == 201) {
                        admitMs = (System.nanoTime() - start) / 1e6;
                    } else {
                        refusals++;
                    }
                }
                if (modelMs < 0 && modelHolds(redis, participants)) {
                    modelMs = (System.nanoTime() - start) / 1e6;
                }
                Thread.sleep(20);
            }
        } finally {
            redis.close();
        }
        Map<String, Long> rebuildMs = rebuildTimes(capacityLog, logFrom);
        System.out.printf("bench: recovery, topic %s, Redis %s: admission back %.0f ms, model complete %.0f ms, rebuilds %s%n",
                topic, loss, admitMs, modelMs, rebuildMs);
        String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return new Recovery(topic, records, loss, admitMs, modelMs, refusals, rebuildMs, load[0] + " " + load[1] + " " + load[2]);
    }

    /** capacity-service's own "rebuilt region …" lines written since {@code from}: each region's rebuild time. */
    private static Map<String, Long> rebuildTimes(Path log, long from) throws Exception {
        Map<String, Long> times = new LinkedHashMap<>();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            byte[] all = Files.readAllBytes(log);
            Matcher m = REBUILT.matcher(new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    java.nio.charset.StandardCharsets.UTF_8));
            while (m.find()) {
                times.put(m.group(1), Long.parseLong(m.group(6)));
            }
            if (times.size() >= 2) {
                break;
            }
            Thread.sleep(200);
        }
        return times;
    }

    private int token() {
        String body = "{\"room_name\":\"" + probeRoom + "\",\"participant_identity\":\"recovery-probe\",\"grants\":[\"subscribe\"]}";
        try {
            return http.send(HttpRequest.newBuilder(URI.create(ctx.serviceUrl("token-service") + "/v1/token"))
                    .header("Authorization", "Bearer " + TokenBench.TENANT_KEY).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Every region rebuilt, and the regions' totals hold every live room and participant. */
    private boolean modelHolds(Redis redis, int participants) {
        try {
            long rooms = 0;
            long people = 0;
            for (String region : regions) {
                Response mark = send(redis, Request.cmd(Command.GET).arg(RedisKeys.model(region)));
                if (mark == null || !mark.toString().startsWith(RedisKeys.MODEL_REBUILT)) {
                    return false;
                }
                Response totals = send(redis, Request.cmd(Command.HMGET).arg(RedisKeys.totals(region)).arg("rooms")
                        .arg("participants"));
                rooms += totals.get(0) == null ? 0 : totals.get(0).toLong();
                people += totals.get(1) == null ? 0 : totals.get(1).toLong();
            }
            return rooms == ROOMS && people == participants;
        } catch (Exception e) {
            return false; // Redis not answering yet
        }
    }

    private void awaitModel(Vertx vertx, int participants, Duration limit) throws Exception {
        Redis redis = Redis.createClient(vertx, ctx.fleet().layout().fleetRedisUri(RedisUsers.ADMIN));
        try {
            long end = System.nanoTime() + limit.toNanos();
            while (!modelHolds(redis, participants)) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("the model did not reach " + ROOMS + " rooms and " + participants
                            + " participants within " + limit);
                }
                Thread.sleep(200);
            }
        } finally {
            redis.close();
        }
    }

    private static Response send(Redis redis, Request request) throws Exception {
        return redis.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Real participants in {@link #RTC_ROOMS} rooms through token-service, kept until the phase ends. */
    private Process joinRtcRooms() throws Exception {
        List<String> rooms = IntStream.range(0, RTC_ROOMS).mapToObj(i -> "dev-recovery-rtc-" + i).toList();
        Map<String, Object> spec = JoinBench.spec(ctx, "lkfleet", rooms, 2, 2, Duration.ofHours(1).toMillis(), 30_000);
        Path input = ctx.workDir().resolve("recovery-rtc.json");
        Files.writeString(input, JSON.writeValueAsString(spec) + "\n");
        Path out = ctx.workDir().resolve("recovery-rtc.out");
        Process process = Procs.start(List.of("node", ctx.repoRoot().resolve("tools/rtc-client/join-load.mjs").toString()),
                Map.of(), out, input);
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < end) {
            List<JsonNode> joins = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                if (line.startsWith("{") && line.contains("\"event\":\"join\"")) {
                    joins.add(JSON.readTree(line));
                }
            }
            if (joins.size() == 2 * RTC_ROOMS) {
                List<JsonNode> failed = joins.stream().filter(j -> !j.path("ok").asBoolean()).toList();
                if (!failed.isEmpty()) {
                    Procs.stop(process);
                    throw new IllegalStateException("real participants could not join: " + failed);
                }
                return process;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("join-load.mjs ended early (see " + out + ")");
            }
            Thread.sleep(500);
        }
        Procs.stop(process);
        throw new IllegalStateException("real participants did not all join within 3 minutes (see " + out + ")");
    }

    /** The rest of the live rooms, through each region's RoomService.CreateRoom (LiveKit places them). */
    private void createEmptyRooms() throws Exception {
        Semaphore inFlight = new Semaphore(8);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < ROOMS - RTC_ROOMS; i++) {
            FleetLayout.Region region = ctx.region(regions.get(i % regions.size()));
            Instant now = Instant.now();
            String token = JWT.create().withIssuer(region.apiKey()).withSubject("bench").withNotBefore(now)
                    .withExpiresAt(now.plus(Duration.ofMinutes(10))).withClaim("video", Map.of("roomCreate", true))
                    .sign(Algorithm.HMAC256(region.apiSecret()));
            String base = region.livekitUrl().replaceFirst("^ws", "http");
            inFlight.acquire();
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/twirp/livekit.RoomService/CreateRoom"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"dev-recovery-" + i + "\",\"empty_timeout\":3600}"))
                    .build(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("CreateRoom answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    /**
     * Produces history until the topic holds {@code size} records, with capacity-service stopped, then
     * commits its group to the end and starts it again. Returns the seconds producing took.
     */
    private double fillTopicTo(long size) throws Exception {
        ctx.fleet().services().get("capacity-service").stop(Duration.ofSeconds(30));
        long start = System.nanoTime();
        long createdAt = Instant.now().minus(Duration.ofDays(3)).getEpochSecond();
        // batches of up to 512 KiB, lz4: millions of records in seconds, not through HTTP
        try (KafkaProducer<String, byte[]> producer = kafka.producer(Map.of("linger.ms", "20", "batch.size",
                Integer.toString(512 * 1024), "buffer.memory", Long.toString(256L * 1024 * 1024), "compression.type", "lz4"))) {
            for (; produced < size; produced++) {
                String region = regions.get((int) ((produced / 9) % regions.size()));
                producer.send(CapacityBench.roomHistoryEvent(region, "dev-gone-", "EV_hist", produced, createdAt));
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        commitGroupToEnd();
        ctx.fleet().restartInstance("capacity-service");
        kafka.awaitConsumed(GROUP, Topics.WEBHOOKS, Duration.ofMinutes(2));
        warmUpRebuilds();
        return seconds;
    }

    /**
     * Rebuilds every region a few times through the admin API, untimed: the instance just started, and
     * a production instance that loses its Redis has long been warm (a cold JVM's first rebuild of 250
     * rooms took 3.4–5.1 s here, a warm one's 1.0–1.7 s).
     */
    private void warmUpRebuilds() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (String region : regions) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(ctx.serviceUrl("capacity-service") + "/v1/admin/regions/" + region + "/rebuild"))
                        .header("Authorization", "Bearer " + ctx.fleet().layout().local().credentials().capacityAdminToken())
                        .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("warm-up rebuild of " + region + ": " + response.statusCode() + " "
                            + response.body());
                }
            }
        }
    }

    /** capacity-service's group at the topic's end, as if it had applied everything (it is stopped: the group is empty). */
    private void commitGroupToEnd() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> end = kafka.endOffsets(Topics.WEBHOOKS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())));
        try (Admin admin = kafka.admin()) {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (true) {
                try {
                    admin.alterConsumerGroupOffsets(GROUP, end).all().get();
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    // the stopped instance's membership may linger until its session times out
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(500);
                }
            }
        }
    }

    /** Deletes every record of livekit.webhooks so far, as retention would. */
    private void deleteAllRecords() throws Exception {
        Map<TopicPartition, RecordsToDelete> all = kafka.endOffsets(Topics.WEBHOOKS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> RecordsToDelete.beforeOffset(e.getValue())));
        try (Admin admin = kafka.admin()) {
            admin.deleteRecords(all).all().get();
        }
    }
}
