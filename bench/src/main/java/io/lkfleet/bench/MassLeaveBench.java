package io.lkfleet.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.RedisUsers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 2,000-viewer webinar that ends all at once (issue 16.2): the room is created on a real LiveKit
 * node, filled through webhook-ingest (the host's join and two tracks, then every viewer's join), and
 * then every viewer's participant_left, the host's track_unpublished ×2 and participant_left, and
 * room_finished are posted together, signed as LiveKit signs them. Measured: the time from the last
 * 200 until the node's subscriptions in the model are back to their baseline.
 */
final class MassLeaveBench {
    private static final String REGION = "eu-west";
    private static final int VIEWERS = 2_000;
    /** Concurrent webhook requests, like many LiveKit sender goroutines at once. */
    private static final int IN_FLIGHT = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchContext ctx;
    private final FleetLayout.Region region;
    private final WebhookSigner signer;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String room = "webinar-" + System.currentTimeMillis();
    private int seq;

    MassLeaveBench(BenchContext ctx) {
        this.ctx = ctx;
        this.region = ctx.region(REGION);
        this.signer = new WebhookSigner(region);
    }

    Section run() throws Exception {
        Vertx vertx = Vertx.vertx();
        Redis client = Redis.createClient(vertx, ctx.fleet().layout().fleetRedisUri(RedisUsers.ADMIN));
        RedisAPI redis = RedisAPI.api(client);
        try {
            // Start from a caught-up model: an earlier phase's backlog would be measured as this one's lag.
            new KafkaTools(ctx).awaitConsumed("capacity-service", Topics.WEBHOOKS, Duration.ofMinutes(5));
            String sid = createRoom();
            String node = await(() -> str(get(redis.hget(RedisKeys.room(REGION, room), "node"))), n -> n != null,
                    Duration.ofSeconds(30), "the model to place " + room + " on a node");
            String nodeKey = RedisKeys.node(REGION, node);
            long baseline = num(get(redis.hget(nodeKey, "subscriptions")));
            long full = baseline + 2L * VIEWERS;

            List<byte[]> joins = new ArrayList<>();
            joins.add(event("participant_joined", sid, host(), ""));
            joins.add(event("track_published", sid, host(), track("TR_host_v", true)));
            joins.add(event("track_published", sid, host(), track("TR_host_a", false)));
            for (int v = 0; v < VIEWERS; v++) {
                joins.add(event("participant_joined", sid, viewer(v, "ACTIVE"), ""));
            }
            Posted joined = post(joins);
            await(() -> num(get(redis.hget(nodeKey, "subscriptions"))), s -> s == full, Duration.ofSeconds(120),
                    "the node's model subscriptions to reach " + full);

            List<byte[]> leaves = new ArrayList<>();
            for (int v = 0; v < VIEWERS; v++) {
                leaves.add(event("participant_left", sid, viewer(v, "DISCONNECTED"), ""));
            }
            leaves.add(event("track_unpublished", sid, host(), track("TR_host_v", true)));
            leaves.add(event("track_unpublished", sid, host(), track("TR_host_a", false)));
            leaves.add(event("participant_left", sid, host(), ""));
            leaves.add(event("room_finished", sid, "", ""));
            AtomicLong backAt = new AtomicLong();
            Thread watcher = new Thread(() -> watch(redis, nodeKey, baseline, backAt), "baseline-watcher");
            watcher.start();
            Posted left = post(leaves);
            watcher.join(TimeUnit.SECONDS.toMillis(60));
            watcher.interrupt();
            double afterLastMs = backAt.get() == 0 ? -1 : Math.max(0, backAt.get() - left.lastOkNanos) / 1e6;
            double sendSeconds = (left.lastOkNanos - left.startNanos) / 1e9;
            boolean goal = afterLastMs >= 0 && afterLastMs <= 1000 && left.failures == 0;
            return new Section("mass leave: a " + VIEWERS + "-viewer webinar ends at once")
                    .row("model back to its baseline after the last 200 (node " + node + ")",
                            afterLastMs < 0 ? "not within 60 s" : Section.ms(afterLastMs),
                            "goal ≤ 1 s", goal ? "met" : "NOT met")
                    .row("leave webhooks through webhook-ingest", leaves.size() + " in " + String.format("%.2f s", sendSeconds)
                            + " (" + Section.perSecond(leaves.size() / sendSeconds) + "), non-200: " + left.failures,
                            "joins before: " + joins.size() + ", non-200: " + joined.failures, "")
                    .note("Room created on a real LiveKit node (RoomService.CreateRoom), placed by LiveKit, seen by"
                            + " capacity-service through room_node_map; one host publishing video + audio, " + VIEWERS
                            + " viewers subscribing: " + 2 * VIEWERS + " subscriptions on the node. Leaves posted "
                            + IN_FLIGHT + " at a time; baseline (" + baseline + " subscriptions) polled in Redis every"
                            + " millisecond.")
                    .raw("mass_leave", Map.of("viewers", VIEWERS, "node", node, "baseline", baseline,
                            "leave_events", leaves.size(), "leave_seconds", sendSeconds, "leave_failures", left.failures,
                            "back_to_baseline_after_last_200_ms", afterLastMs, "goal_met", goal));
        } finally {
            client.close();
            vertx.close();
        }
    }

    private record Posted(long startNanos, long lastOkNanos, int failures) {
    }

    /** Posts every body to webhook-ingest, IN_FLIGHT at a time; waits for every answer. */
    private Posted post(List<byte[]> bodies) throws Exception {
        URI url = URI.create(ctx.serviceUrl("webhook-ingest") + "/webhook");
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicInteger failures = new AtomicInteger();
        AtomicLong lastOk = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        for (byte[] body : bodies) {
            slots.acquire();
            HttpRequest request = HttpRequest.newBuilder(url).header("Content-Type", "application/webhook+json")
                    .header("Authorization", signer.authorization(body)).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                slots.release();
                if (error == null && response.statusCode() == 200) {
                    lastOk.accumulateAndGet(System.nanoTime(), Math::max);
                } else {
                    failures.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return new Posted(start, lastOk.get(), failures.get());
    }

    /** Polls the node's model subscriptions; records when they are back at the baseline (and stay there). */
    private void watch(RedisAPI redis, String nodeKey, long baseline, AtomicLong backAt) {
        int steady = 0;
        while (!Thread.currentThread().isInterrupted() && steady < 200) {
            long now = System.nanoTime();
            if (num(get(redis.hget(nodeKey, "subscriptions"))) == baseline) {
                backAt.compareAndSet(0, now);
                steady++;
            } else {
                backAt.set(0);
                steady = 0;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** RoomService.CreateRoom on the region's LiveKit (Twirp JSON); LiveKit chooses the node. Returns the room sid. */
    private String createRoom() throws Exception {
        Instant now = Instant.now();
        String token = JWT.create().withIssuer(region.apiKey()).withSubject("bench").withNotBefore(now)
                .withExpiresAt(now.plus(Duration.ofMinutes(5))).withClaim("video", Map.of("roomCreate", true))
                .sign(Algorithm.HMAC256(region.apiSecret()));
        String base = region.livekitUrl().replaceFirst("^ws", "http");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/twirp/livekit.RoomService/CreateRoom"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + room + "\",\"empty_timeout\":600}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("CreateRoom answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("sid").asText();
    }

    private byte[] event(String type, String roomSid, String participant, String track) {
        String body = "{\"event\":\"" + type + "\",\"room\":{\"sid\":\"" + roomSid + "\",\"name\":\"" + room + "\"}"
                + (participant.isEmpty() ? "" : "," + participant) + (track.isEmpty() ? "" : "," + track)
                + ",\"id\":\"EV_ml" + room + "_" + (seq++) + "\",\"createdAt\":\"" + Instant.now().getEpochSecond() + "\"}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static String host() {
        return "\"participant\":{\"sid\":\"PA_host\",\"identity\":\"host\",\"state\":\"ACTIVE\"}";
    }

    private static String viewer(int v, String state) {
        return "\"participant\":{\"sid\":\"PA_v" + v + "\",\"identity\":\"viewer-" + v + "\",\"state\":\"" + state + "\"}";
    }

    private static String track(String sid, boolean video) {
        return "\"track\":{\"sid\":\"" + sid + "\"" + (video ? ",\"type\":\"VIDEO\",\"source\":\"CAMERA\"" : ",\"source\":\"MICROPHONE\"") + "}";
    }

    private static <T> T await(java.util.function.Supplier<T> read, java.util.function.Predicate<T> done, Duration timeout,
            String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            T value = read.get();
            if (done.test(value)) {
                return value;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    private static Response get(io.vertx.core.Future<Response> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Redis: " + e.getMessage(), e);
        }
    }

    private static String str(Response r) {
        return r == null ? null : r.toString();
    }

    private static long num(Response r) {
        return r == null ? 0 : r.toLong();
    }
}
