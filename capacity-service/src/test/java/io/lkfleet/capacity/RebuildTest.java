package io.lkfleet.capacity;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.capacity.store.ModelClaim;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LiveKitNode;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Recovery is bounded by the present, not by history: a rebuild takes each room from LiveKit's
 * present state, so it neither needs the topic's past (a room whose events retention removed comes
 * back) nor reads it (10,000 old events of rooms LiveKit no longer has are not in the rebuilt
 * model), and the rebuilt model forwards what LiveKit reports per node. Every rebuild takes the
 * region's one claim in Redis.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class RebuildTest {
    static final String REGION = "eu-west";
    static final String NODE = "eu-west-a";
    /** 500 rooms of ~21 events each: old history of rooms long gone. */
    static final int JUNK_ROOMS = 500;
    /** capacity-service's user in lkfleet's Redis (deploy/k8s/base/lkfleet-redis-users.acl). */
    static final String CAPACITY_USER = "capacity-service";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RedisDataSource redis;
    @Inject
    ModelClaim claims;
    @Inject
    Vertx vertx;
    @ConfigProperty(name = LocalFleetResource.ADMIN_REDIS_URI)
    String adminRedisUri;

    @Test
    void aRebuildTakesLiveKitsPresentNotTheTopicsHistory() throws Exception {
        LiveKitNode node = TestFleet.get().node(NODE);
        FleetLayout.Region region = TestFleet.get().layout().regions().get(REGION);
        String room = RealTrafficTest.roomOn(node, region, "rebuild-");
        // 2 camera+mic publishers and a watcher: 2×2 video + 2×2 audio = 8 forwarded tracks
        List<RtcParticipants.Spec> specs = List.of(
                new RtcParticipants.Spec("a", node.spec().url(), RealTrafficTest.token(region, room, "a"),
                        List.of("audio", "video"), true),
                new RtcParticipants.Spec("b", node.spec().url(), RealTrafficTest.token(region, room, "b"),
                        List.of("audio", "video"), true),
                new RtcParticipants.Spec("w", node.spec().url(), RealTrafficTest.token(region, room, "w"), List.of(),
                        true));
        try (RtcParticipants call = RtcParticipants.join(specs, Duration.ofSeconds(30))) {
            assertEquals(List.of(), call.failed());
            RealTrafficTest.awaitOnNode(room, node.nodeId(), 8);

            retentionPasses(); // the room's own events leave the topic: it is older than the retention now
            String junk = "junk-" + UUID.randomUUID() + "-";
            long read = oldHistoryOf(junk);
            assertEquals(200, given().queryParam("region", REGION).get("/v1/rooms/{room}", junk + 7).statusCode(),
                    "the live consumer applied the old history");

            given().post("/v1/admin/regions/{r}/rebuild", REGION).then().statusCode(401)
                    .body("type", equalTo("https://lkfleet.io/problems/unauthorized"));
            given().auth().oauth2("not-the-admin-token").post("/v1/admin/regions/{r}/rebuild", REGION).then()
                    .statusCode(401);
            assertEquals(200, given().queryParam("region", REGION).get("/v1/rooms/{room}", junk + 7).statusCode(),
                    "a refused rebuild wiped nothing");
            JsonPath result = admin().post("/v1/admin/regions/{r}/rebuild", REGION).then().statusCode(200)
                    .body("region", equalTo(REGION)).extract().jsonPath();

            RealTrafficTest.awaitOnNode(room, node.nodeId(), 8);
            for (int i = 0; i < JUNK_ROOMS; i += 50) {
                assertEquals(404, given().queryParam("region", REGION).get("/v1/rooms/{room}", junk + i).statusCode(),
                        "a room only the topic's history has is not in the rebuilt model");
            }
            // LiveKit rewrites its node stats every 2 s: the model must meet them, node by node
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<String, Integer> model = perNode("subscriptions");
                assertEquals(perNode("measured.numTracksOut"), model);
                assertTrue(model.get(node.nodeId()) >= 8);
            });
            System.out.printf("rebuild of %s with %d old records on the topic: %d rooms, %d participants, %d events"
                    + " written in %d ms; model per node %s = LiveKit num_tracks_out%n", REGION, read,
                    result.getInt("rooms"), result.getInt("participants"), result.getLong("events"),
                    result.getLong("tookMs"), perNode("subscriptions"));
        }
    }

    @Test
    void twoRebuildsRaceForTheClaimAndOneWins() throws Exception {
        ModelMarks.awaitRebuilt(redis, REGION);
        ExecutorService racers = Executors.newFixedThreadPool(8);
        List<Callable<Optional<String>>> claimsAtOnce = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            claimsAtOnce.add(() -> claims.claim(REGION, Duration.ofSeconds(30)));
        }
        List<String> won = new ArrayList<>();
        for (Future<Optional<String>> claim : racers.invokeAll(claimsAtOnce)) {
            claim.get().ifPresent(won::add);
        }
        racers.shutdown();
        assertEquals(1, won.size(), "one claim wins");
        admin().post("/v1/admin/regions/{r}/rebuild", REGION).then().statusCode(409)
                .body("type", equalTo("https://lkfleet.io/problems/rebuild-in-progress"));
        claims.abandon(REGION, won.get(0));
        // no mark: the watch notices the lost model and rebuilds it under its own claim
        ModelMarks.awaitRebuilt(redis, REGION);
    }

    /**
     * A rebuild whose Redis refuses it (here: capacity-service's Redis user may not DEL for a while, so
     * the wipe fails, and so does giving its claim up at once) frees the region as soon as Redis answers
     * again, not when its claim expires: until then region-router would admit nothing in the region.
     */
    @Test
    void aRebuildThatRedisRefusedFreesTheRegionOnceRedisAnswersNotWhenItsClaimExpires() throws Exception {
        ModelMarks.awaitRebuilt(redis, REGION);
        Redis admin = Redis.createClient(vertx, adminRedisUri);
        String mark = RedisKeys.model(REGION);
        try (AutoCloseable closing = admin::close) {
            String failedClaim;
            long claimLeftMs;
            try {
                admin(admin, Request.cmd(Command.ACL).arg("LOG").arg("RESET"));
                admin(admin, Request.cmd(Command.ACL).arg("SETUSER").arg(CAPACITY_USER).arg("-del"));
                admin(admin, Request.cmd(Command.DEL).arg(mark)); // Redis lost the model: the watch rebuilds it
                // the wipe's DEL was refused (the only one sent outside a script), then the script giving the claim up
                await().atMost(Duration.ofSeconds(30)).until(() -> refused(admin, "del", "toplevel")
                        && refused(admin, "del", "lua"));
                failedClaim = String.valueOf(admin(admin, Request.cmd(Command.GET).arg(mark)));
                claimLeftMs = admin(admin, Request.cmd(Command.PTTL).arg(mark)).toLong();
            } finally {
                admin(admin, Request.cmd(Command.ACL).arg("SETUSER").arg(CAPACITY_USER).arg("+del"));
            }
            assertTrue(failedClaim.startsWith(RedisKeys.MODEL_REBUILDING),
                    "the failed rebuild's claim holds the region: " + failedClaim);
            assertTrue(claimLeftMs > 5000, "the claim has " + claimLeftMs + " ms left");
            // given up while the claim still had time left, and the region rebuilt by the next check
            await().atMost(Duration.ofMillis(claimLeftMs - 2000)).until(() -> String.valueOf(
                    admin(admin, Request.cmd(Command.GET).arg(mark))).startsWith(RedisKeys.MODEL_REBUILT));
        }
    }

    /** Whether Redis refused capacity-service's {@code command}, sent as {@code context} says (ACL LOG). */
    private static boolean refused(Redis admin, String command, String context) {
        for (Response entry : admin(admin, Request.cmd(Command.ACL).arg("LOG"))) {
            if (CAPACITY_USER.equals(String.valueOf(entry.get("username"))) && command.equals(
                    String.valueOf(entry.get("object"))) && context.equals(String.valueOf(entry.get("context")))) {
                return true;
            }
        }
        return false;
    }

    private static Response admin(Redis admin, Request request) {
        try {
            return admin.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(request.command() + " as lkfleet's Redis admin: " + e, e);
        }
    }

    private static RequestSpecification admin() {
        return given().auth().oauth2(TestFleet.get().layout().local().credentials().capacityAdminToken());
    }

    /** Model or LiveKit's figure ({@code field} of the node view) per node of the region. */
    private static Map<String, Integer> perNode(String field) {
        JsonPath nodes = given().get("/v1/regions/{r}/nodes", REGION).then().statusCode(200).extract().jsonPath();
        List<String> ids = nodes.getList("id");
        List<Integer> values = nodes.getList(field);
        return ids.stream().collect(Collectors.toMap(id -> id, id -> values.get(ids.indexOf(id))));
    }

    /** Deletes every record of livekit.webhooks so far, as retention would. */
    private void retentionPasses() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                        new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.WEBHOOKS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            admin.deleteRecords(consumer.endOffsets(partitions).entrySet().stream().collect(Collectors.toMap(
                    Map.Entry::getKey, e -> RecordsToDelete.beforeOffset(e.getValue())))).all().get();
        }
    }

    /** Puts the histories of {@link #JUNK_ROOMS} rooms LiveKit does not have on the topic; waits until applied. */
    private long oldHistoryOf(String prefix) throws Exception {
        // an hour old: within the applied ids' retention, so their being applied can be awaited
        long hourAgo = System.currentTimeMillis() / 1000 - 3600;
        List<WebhookEvents.Event> events = new ArrayList<>();
        for (int i = 0; i < JUNK_ROOMS; i++) {
            events.addAll(WebhookEvents.roomReaching(prefix + i, RoomShape.meeting(4), hourAgo));
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            events.forEach(e -> WebhookConsumerTest.send(producer, REGION, e));
        }
        List<String> args = new ArrayList<>(List.of(RedisKeys.appliedEvents(REGION)));
        events.forEach(e -> args.add(e.id()));
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            var scores = redis.execute("ZMSCORE", args.toArray(String[]::new));
            for (int i = 0; i < scores.size(); i++) {
                if (scores.get(i) == null) {
                    return false;
                }
            }
            return true;
        });
        return events.size();
    }
}
