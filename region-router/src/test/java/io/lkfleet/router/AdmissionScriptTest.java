package io.lkfleet.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.common.capacity.CapacityAssumptions;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.capacity.RoomShape;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.routing.admission.Admission;
import io.lkfleet.routing.admission.AdmissionRequest;
import io.lkfleet.routing.admission.AdmissionResult;
import io.lkfleet.routing.admission.RouterKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admission script against a real Redis: never overbooks, and agrees with the capacity model. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class AdmissionScriptTest {
    private static final String REGION = "eu-west";
    private static final Duration TTL = Duration.ofMinutes(10);

    @Inject
    Admission admission;

    @Inject
    CapacityAssumptions assumptions;

    @Inject
    RedisDataSource redis;

    record Join(String room, String identity, boolean publisher) {
    }

    private AdmissionResult admit(String region, String node, String room, String identity, boolean publisher,
            String reservation, CapacityModel model, NodeLimit limit, Duration reservationTtl, Duration pinTtl) {
        return admission.admit(new AdmissionRequest(region, node, room, identity, publisher, reservation, limit,
                reservationTtl, pinTtl, RoomCost.ZERO, false, "acme", 1_000_000)).await().atMost(Duration.ofSeconds(10));
    }

    private Uni<AdmissionResult> admitPinned(String region, String node, String room, String identity,
            boolean publisher, String reservation, CapacityModel model, NodeLimit limit, Duration reservationTtl,
            Duration pinTtl) {
        return admission.admit(new AdmissionRequest(region, node, room, identity, publisher, reservation, limit,
                reservationTtl, pinTtl, RoomCost.ZERO, true, "acme", 1_000_000));
    }

    @BeforeEach
    void modelBuilt() {
        ModelMarks.markRebuilt(redis, REGION);
    }

    @Test
    void thousandConcurrentJoinsNeverOverbookAndAdmitEveryJoinThatFits() throws Exception {
        CapacityModel model = new CapacityModel(assumptions);
        NodeLimit limit = new NodeLimit(400, 10_000_000);
        String node = "ND_concurrency_" + UUID.randomUUID();
        List<Join> joins = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            joins.add(new Join("conc-room-" + random.nextInt(8) + "-" + node, "user-" + i, random.nextInt(4) == 0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<AdmissionResult>> results = new ArrayList<>();
        for (Join join : joins) {
            Callable<AdmissionResult> call = () -> admit(REGION, node, join.room(), join.identity(),
                    join.publisher(), "rsv_" + join.identity(), model, limit, TTL, TTL);
            results.add(pool.submit(call));
        }
        Map<String, RoomShape> rooms = new HashMap<>();
        long admittedCost = 0;
        List<Join> refused = new ArrayList<>();
        long maxSeen = 0;
        for (int i = 0; i < joins.size(); i++) {
            AdmissionResult result = results.get(i).get();
            if (result.outcome() == AdmissionResult.Outcome.ADMITTED) {
                maxSeen = Math.max(maxSeen, result.nodeSubscriptions());
                Join join = joins.get(i);
                rooms.merge(join.room(), join.publisher() ? new RoomShape(1, 1, 0) : new RoomShape(1, 0, 0),
                        (a, b) -> new RoomShape(a.participants() + 1, a.publishers() + b.publishers(), 0));
            } else {
                refused.add(joins.get(i));
            }
        }
        pool.shutdown();
        for (RoomShape shape : rooms.values()) {
            admittedCost += model.cost(shape).subscriptions();
        }
        assertTrue(admittedCost <= limit.maxSubscriptions(), "admitted " + admittedCost + " > limit");
        assertTrue(maxSeen <= limit.maxSubscriptions(), "a projection exceeded the limit: " + maxSeen);
        assertTrue(!refused.isEmpty(), "the node was meant to fill up");
        long free = limit.maxSubscriptions() - admittedCost;
        for (Join join : refused) {
            RoomShape shape = rooms.getOrDefault(join.room(), new RoomShape(0, 0, 0));
            RoomCost delta = join.publisher() ? model.deltaOfPublisher(shape) : model.deltaOfSubscriber(shape);
            assertTrue(delta.subscriptions() > free, "a refused join of " + join.room() + " would have fit: needs "
                    + delta.subscriptions() + ", free " + free);
        }
    }

    /**
     * admit.lua and {@link CapacityModel} agree step by step on random sequences of joins in every role
     * the router accepts ({@code publisher}; {@code subscriber} and {@code hidden}, which cost like one),
     * into rooms capacity-service's model already has on the node, some of them sharing screens. The
     * screens reach the script only through the model's {@code screen_tracks}, so every delta, every
     * room's own fit and every projected load here depends on the script's screen-share branch.
     */
    @Test
    void scriptAgreesWithTheCapacityModelForEveryRoleAndScreenShares() {
        CapacityModel model = new CapacityModel(assumptions);
        Random random = new Random(7);
        int screenRooms = 0;
        for (int run = 0; run < 20; run++) {
            String node = "ND_property_" + run + "_" + UUID.randomUUID();
            NodeLimit limit = new NodeLimit(50 + random.nextInt(400),
                    (long) (model.forwardedVideoKbps() * (20 + random.nextInt(200))));
            Map<String, RoomShape> rooms = new HashMap<>();
            long load = 0;
            long egress = 0;
            // what capacity-service's model already counts on the node: rooms of up to 3, 0-2 screens each
            for (int r = 0; r < 3; r++) {
                String room = "prop-" + run + "-" + r + "-" + node;
                int participants = random.nextInt(4);
                RoomShape shape = new RoomShape(participants, random.nextInt(participants + 1),
                        participants == 0 ? 0 : random.nextInt(3));
                redis.hash(String.class).hset(RedisKeys.room(REGION, room), Map.of("participants",
                        Integer.toString(shape.participants()), "publishers", Integer.toString(shape.publishers()),
                        "screen_tracks", Integer.toString(shape.screenShares())));
                rooms.put(room, shape);
                screenRooms += shape.screenShares() > 0 ? 1 : 0;
                load += model.cost(shape).subscriptions();
                egress += model.cost(shape).egressKbps();
            }
            redis.hash(String.class).hset(RedisKeys.node(REGION, node), Map.of("subscriptions", Long.toString(load),
                    "egress_kbps", Long.toString(egress)));
            for (int step = 0; step < 60; step++) {
                String room = "prop-" + run + "-" + random.nextInt(3) + "-" + node;
                String role = ROLES.get(random.nextInt(ROLES.size()));
                boolean publisher = publishes(role);
                RoomShape shape = rooms.get(room);
                RoomShape after = publisher ? shape.withPublisher() : shape.withSubscriber();
                RoomCost delta = publisher ? model.deltaOfPublisher(shape) : model.deltaOfSubscriber(shape);
                RoomCost whole = model.cost(after);
                AdmissionResult.Outcome expected;
                if (whole.subscriptions() > limit.maxSubscriptions() || whole.egressKbps() > limit.maxEgressKbps()) {
                    expected = AdmissionResult.Outcome.ROOM_EXCEEDS_NODE;
                } else if (!limit.admits(load, egress, delta)) {
                    expected = AdmissionResult.Outcome.NODE_FULL;
                } else {
                    expected = AdmissionResult.Outcome.ADMITTED;
                }
                AdmissionResult got = admit(REGION, node, room, "u" + step, publisher, "rsv_" + run + "_" + step,
                        model, limit, TTL, TTL);
                String where = "run " + run + " step " + step + ": a " + role + " joins " + shape;
                assertEquals(expected, got.outcome(), where);
                if (expected == AdmissionResult.Outcome.ADMITTED) {
                    rooms.put(room, after);
                    load += delta.subscriptions();
                    egress += delta.egressKbps();
                    assertEquals(load, got.nodeSubscriptions(), "projected node load, " + where);
                    assertTrue(Math.abs(egress - got.nodeEgressKbps()) <= rooms.size(), "projected egress, " + where);
                }
            }
        }
        assertTrue(screenRooms >= 10, "the sequences share screens in " + screenRooms + " rooms");
    }

    /** Every role region-router accepts; it admits {@code hidden} like a {@code subscriber}. */
    private static final List<String> ROLES = List.of("publisher", "subscriber", "hidden");

    /** How the router reads a join's role. */
    private static boolean publishes(String role) {
        return new RouteRequest("acme", "room", "someone", role, null, null, null, null, null, null, null, null)
                .publisher();
    }

    @Test
    void reservationsOfJoinsThatNeverHappenExpire() {
        CapacityModel model = new CapacityModel(assumptions);
        NodeLimit limit = new NodeLimit(2, 10_000_000);
        String node = "ND_expiry_" + UUID.randomUUID();
        Duration brief = Duration.ofMillis(300);
        assertEquals(AdmissionResult.Outcome.ADMITTED,
                admit(REGION, node, "a-" + node, "a-pub", true, "ra1", model, limit, brief, TTL).outcome());
        assertEquals(AdmissionResult.Outcome.ADMITTED,
                admit(REGION, node, "a-" + node, "a-sub", false, "ra2", model, limit, brief, TTL).outcome());
        assertEquals(AdmissionResult.Outcome.ADMITTED,
                admit(REGION, node, "b-" + node, "b-pub", true, "rb1", model, limit, TTL, TTL).outcome());
        assertEquals(AdmissionResult.Outcome.NODE_FULL,
                admit(REGION, node, "b-" + node, "b-sub", false, "rb2", model, limit, TTL, TTL).outcome());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> admit(REGION, node, "b-" + node,
                "b-sub", false, "rb3-" + System.nanoTime(), model, limit, TTL, TTL).outcome()
                == AdmissionResult.Outcome.ADMITTED);
    }

    @Test
    void aJoinForAPinnedRoomIsAdmittedOnlyWhileThePinIsThere() {
        CapacityModel model = new CapacityModel(assumptions);
        NodeLimit limit = new NodeLimit(400, 10_000_000);
        String node = "ND_pinned_" + UUID.randomUUID();
        String room = "p-" + node;
        Duration await = Duration.ofSeconds(10);
        assertEquals(AdmissionResult.Outcome.NOT_PINNED, admitPinned(REGION, node, room, "early", false,
                "rp0", model, limit, TTL, TTL).await().atMost(await).outcome(), "no pin yet: nothing admitted");
        assertNull(redis.hash(String.class).hget(RouterKeys.roomReserved(REGION, room), "participants"),
                "a refused pinned-only join reserves nothing");
        assertEquals(AdmissionResult.Outcome.ADMITTED,
                admit(REGION, node, room, "first", true, "rp1", model, limit, TTL, TTL).outcome());
        assertEquals(AdmissionResult.Outcome.ADMITTED, admitPinned(REGION, node, room, "viewer", false,
                "rp2", model, limit, TTL, TTL).await().atMost(await).outcome());
        AdmissionResult elsewhere = admitPinned(REGION, "ND_other_" + node, room, "lost", false, "rp3", model,
                limit, TTL, TTL).await().atMost(await);
        assertEquals(AdmissionResult.Outcome.PINNED_ELSEWHERE, elsewhere.outcome());
        assertEquals(node, elsewhere.pinnedNode());
    }

    @Test
    void fortyRequestsOfOneIdentityHoldOneSeat() throws Exception {
        CapacityModel model = new CapacityModel(assumptions);
        NodeLimit limit = new NodeLimit(400, 10_000_000);
        String node = "ND_seat_" + UUID.randomUUID();
        String room = "seat-" + node;
        assertEquals(AdmissionResult.Outcome.ADMITTED,
                admit(REGION, node, room, "host", true, "rs-host", model, limit, TTL, TTL).outcome());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<AdmissionResult>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String reservation = "rs-viewer-" + i;
            results.add(pool.submit(() -> admit(REGION, node, room, "viewer", false, reservation, model, limit, TTL,
                    TTL)));
        }
        java.util.Set<String> reservations = new java.util.HashSet<>();
        for (Future<AdmissionResult> result : results) {
            assertEquals(AdmissionResult.Outcome.ADMITTED, result.get().outcome());
            reservations.add(result.get().reservationId());
        }
        pool.shutdown();
        assertEquals(1, reservations.size(), "every request refreshed the same reservation: " + reservations);
        assertEquals("2", redis.hash(String.class).hget(RouterKeys.roomReserved(REGION, room), "participants"),
                "host and one viewer");
        assertEquals(2, redis.sortedSet(String.class).zcard(RouterKeys.roomReservations(REGION, room)));
        long viewer = model.deltaOfSubscriber(new RoomShape(1, 1, 0)).subscriptions();
        assertEquals(Long.toString(viewer), redis.hash(String.class).hget(RouterKeys.nodeReserved(REGION, node), "subs"),
                "the node carries one viewer's reservation, not forty");
    }

    @Test
    void aReleasedSeatIsFreeAndARoleChangeKeepsOneSeat() {
        CapacityModel model = new CapacityModel(assumptions);
        NodeLimit limit = new NodeLimit(400, 10_000_000);
        String node = "ND_release_" + UUID.randomUUID();
        String room = "release-" + node;
        AdmissionResult first = admit(REGION, node, room, "ann", false, "rr1", model, limit, TTL, TTL);
        assertTrue(admission.release(REGION, node, room, "acme", first.reservationId()).await().atMost(Duration.ofSeconds(10)));
        assertNull(redis.hash(String.class).hget(RouterKeys.roomReserved(REGION, room), "seat:ann"), "released seat");
        assertEquals("rr2", admit(REGION, node, room, "ann", false, "rr2", model, limit, TTL, TTL).reservationId(),
                "a new reservation after the release");
        assertEquals("rr3", admit(REGION, node, room, "ann", true, "rr3", model, limit, TTL, TTL).reservationId(),
                "as a publisher now: priced afresh");
        assertEquals("1", redis.hash(String.class).hget(RouterKeys.roomReserved(REGION, room), "participants"));
        assertEquals("1", redis.hash(String.class).hget(RouterKeys.roomReserved(REGION, room), "publishers"));
    }

    @Test
    void aTenantsOutstandingReservationsAreCappedPerRegion() {
        CapacityModel model = new CapacityModel(assumptions);
        NodeLimit limit = new NodeLimit(4000, 100_000_000);
        String node = "ND_cap_" + UUID.randomUUID();
        String tenant = "capped-" + UUID.randomUUID();
        java.util.function.BiFunction<String, String, AdmissionResult> join = (who, as) -> admission.admit(
                new AdmissionRequest(REGION, node, "cap-" + node, who, false, "rc-" + who + "-" + System.nanoTime(),
                        limit, TTL, TTL, RoomCost.ZERO, false, as, 5)).await().atMost(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) {
            assertEquals(AdmissionResult.Outcome.ADMITTED, join.apply("v" + i, tenant).outcome());
        }
        assertEquals(AdmissionResult.Outcome.RESERVATION_LIMIT, join.apply("v5", tenant).outcome());
        assertNull(redis.hash(String.class).hget(RouterKeys.roomReserved(REGION, "cap-" + node), "seat:v5"),
                "a refused request reserves nothing");
        assertEquals(AdmissionResult.Outcome.ADMITTED, join.apply("v0", tenant).outcome(),
                "a held seat is refreshed, not counted again");
        assertEquals(AdmissionResult.Outcome.ADMITTED, join.apply("w0", "other-" + tenant).outcome(),
                "another tenant has its own allowance");
        AdmissionResult held = join.apply("v1", tenant);
        admission.release(REGION, node, "cap-" + node, tenant, held.reservationId()).await().atMost(Duration.ofSeconds(10));
        assertEquals(AdmissionResult.Outcome.ADMITTED, join.apply("v5", tenant).outcome(), "a released one frees room");
    }
}
