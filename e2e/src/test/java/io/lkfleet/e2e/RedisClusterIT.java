package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.RedisUsers;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * lkfleet's Redis as a real Redis Cluster of three masters (no replicas) with the two regions' keys on
 * different masters, and every service on Quarkus' cluster client: admission (tokens through
 * token-service, refusals included), apply (real clients' webhooks into the model) and recovery
 * (every master emptied of keys and scripts, the model and an operator's booking rebuilt, admission
 * back) work as on one Redis. Any pipeline that spans two masters, or script that leaves the slot
 * of the keys it declares (common's LuaScript marks every script so that Redis checks), would be
 * refused by the cluster here.
 */
class RedisClusterIT {
    private static final Map<String, Integer> NEAR_WEST = Map.of("eu-west", 10, "eu-central", 80);
    private static final Map<String, Integer> NEAR_CENTRAL = Map.of("eu-west", 80, "eu-central", 10);
    private static LocalFleet fleet;
    private static Vertx vertx;

    @BeforeAll
    static void startFleet() {
        LocalFleet.Options options = new LocalFleet.Options();
        Map<String, String> overrides = new HashMap<>(TestFleet.randomSecrets(options.fleetFile()));
        overrides.putAll(E2eFleet.SMALL_NODES);
        overrides.put("local.fleet-redis-masters", "3");
        options.freePorts().runDir(Path.of("target", "fleet-cluster-" + ProcessHandle.current().pid()))
                .overrides(overrides).services(LocalFleet.SERVICES);
        fleet = LocalFleet.start(options);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
        if (vertx != null) {
            vertx.close();
        }
    }

    @Test
    void admissionApplyAndRecoveryWorkOnARedisClusterWithTheRegionsOnDifferentMasters() throws Exception {
        List<FleetLayout.RedisNode> masters = fleet.layout().fleetRedisNodes();
        assertEquals(3, masters.size());
        Map<String, Integer> masterOf = new HashMap<>();
        for (String region : List.of("eu-west", "eu-central")) {
            masterOf.put(region, masterPortOf(slotOf(region)));
        }
        assertNotEquals(masterOf.get("eu-west"), masterOf.get("eu-central"),
                "the cluster's own slot map puts the regions on different masters: " + masterOf);

        // admission: a 2-person camera+mic call in each region (each fills one small node)
        String west = "dev-cluster-w-" + System.nanoTime();
        String central = "dev-cluster-c-" + System.nanoTime();
        JsonNode alice = token(west, "alice", NEAR_WEST);
        JsonNode bob = token(west, "bob", NEAR_WEST);
        JsonNode carol = token(central, "carol", NEAR_CENTRAL);
        JsonNode dave = token(central, "dave", NEAR_CENTRAL);
        assertEquals(List.of("eu-west", "eu-west", "eu-central", "eu-central"), List.of(alice, bob, carol, dave)
                .stream().map(t -> t.path("region").asText()).toList());
        try (RtcParticipants calls = RtcParticipants.join(List.of(spec("alice", alice), spec("bob", bob),
                spec("carol", carol), spec("dave", dave)), Duration.ofSeconds(30))) {
            assertEquals(List.of(), calls.failed(), "all four participants connect");
            // apply: one poll of webhooks holds both regions' events, each applied on its own master
            E2eFleet.modelMatchesLiveKit(fleet, 2);
            refusedAsTooBigForOneNode(west);
            refusedAsTooBigForOneNode(central);
            // an operator's booking (book.lua on eu-central's master) takes eu-central's idle node
            HttpResponse<String> booking = E2eFleet.post(fleet.layout().services().get("region-router").url()
                    + "/v1/scheduled-rooms", Map.of("room", "dev-cluster-webinar-" + System.nanoTime(), "region",
                    "eu-central", "participants", 3, "publishers", 1, "until", Instant.now().plusSeconds(600).toString()),
                    Map.of("Authorization", "Bearer " + fleet.layout().local().credentials().routerAdminToken()));
            assertEquals(201, booking.statusCode(), booking.body());
            assertNotEquals(fleet.registry("eu-central").roomNodeMap().get(central),
                    E2eFleet.JSON.readTree(booking.body()).path("nodeId").asText(), "the booking takes the idle node");
            for (String region : List.of("eu-west", "eu-central")) {
                assertTrue(keysInSlot(masterOf.get(region), slotOf(region)) > 0,
                        region + "'s model lives on its master, port " + masterOf.get(region));
            }

            // recovery: every master emptied of keys and scripts, as a cluster restarted without persistence
            // comes back (the services' next EVALSHAs meet NOSCRIPT on every master)
            for (FleetLayout.RedisNode master : masters) {
                admin(master.port(), Request.cmd(Command.FLUSHALL));
                admin(master.port(), Request.cmd(Command.SCRIPT).arg("FLUSH"));
            }
            long emptied = System.nanoTime();
            E2eFleet.modelMatchesLiveKit(fleet, 2);
            System.out.printf("model of both regions rebuilt from LiveKit %.1f s after the cluster was emptied%n",
                    (System.nanoTime() - emptied) / 1e9);
            // admission is back: the pinned rooms are still full; the booking came back with the model, so a
            // new small room near eu-central finds its only idle node kept and goes to eu-west
            refusedAsTooBigForOneNode(west);
            refusedAsTooBigForOneNode(central);
            JsonNode erin = token("dev-cluster-new-" + System.nanoTime(), "erin", NEAR_CENTRAL);
            assertEquals("eu-west", erin.path("region").asText(), "eu-central's idle node is still booked");
        }
        // apply after recovery: both calls left, the rebuilt model sees them go
        E2eFleet.modelMatchesLiveKit(fleet, 0);
    }

    private static JsonNode token(String room, String identity, Map<String, Integer> rtt) throws Exception {
        return E2eFleet.tokenRetrying(fleet.layout().services().get("token-service").url() + "/v1/token",
                Map.of("room_name", room, "participant_identity", identity, "region_rtt_ms", rtt));
    }

    /**
     * A third camera+mic participant does not fit the room's small node: refused with the one-node reason.
     * Right after a rebuild the region's gate may still say model-rebuilding for a moment (the node
     * counts are written before the gate opens), so this waits for admission to answer at all.
     */
    private static void refusedAsTooBigForOneNode(String room) throws Exception {
        HttpResponse<String> third = Awaitility.await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> E2eFleet.post(fleet.layout().services().get("token-service").url() + "/v1/token",
                        Map.of("room_name", room, "participant_identity", "third-" + System.nanoTime()),
                        Map.of("Authorization", "Bearer " + E2eFleet.DEV_KEY)),
                        answer -> !answer.body().contains("model-rebuilding"));
        assertEquals(409, third.statusCode(), third.body());
        assertTrue(third.body().contains("room-exceeds-node"), third.body());
    }

    private static RtcParticipants.Spec spec(String label, JsonNode token) {
        return new RtcParticipants.Spec(label, token.path("server_url").asText(), token.path("participant_token").asText(),
                List.of("audio", "video"), true);
    }

    /** The hash slot of a region's keys, as the cluster computes it. */
    private static int slotOf(String region) throws Exception {
        return admin(fleet.layout().fleetRedisPort(), Request.cmd(Command.CLUSTER).arg("KEYSLOT")
                .arg(RedisKeys.model(region))).toInteger();
    }

    /** The port of the master that serves {@code slot}, from the cluster's own slot map (CLUSTER SLOTS). */
    private static int masterPortOf(int slot) throws Exception {
        for (Response range : admin(fleet.layout().fleetRedisPort(), Request.cmd(Command.CLUSTER).arg("SLOTS"))) {
            if (slot >= range.get(0).toInteger() && slot <= range.get(1).toInteger()) {
                return range.get(2).get(1).toInteger();
            }
        }
        throw new AssertionError("no master serves slot " + slot);
    }

    private static long keysInSlot(int port, int slot) throws Exception {
        return admin(port, Request.cmd(Command.CLUSTER).arg("COUNTKEYSINSLOT").arg(slot)).toLong();
    }

    /** One command to one master, as the harness's admin user. */
    private static Response admin(int port, Request request) throws Exception {
        FleetLayout.RedisNode master = fleet.layout().fleetRedisNodes().stream().filter(n -> n.port() == port)
                .findFirst().orElseThrow();
        Redis client = Redis.createClient(vertx, fleet.layout().fleetRedisUri(RedisUsers.ADMIN, master));
        try {
            return client.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }
}
