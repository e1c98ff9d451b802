package io.lkfleet.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.routing.admission.Admission;
import io.lkfleet.routing.admission.AdmissionRequest;
import io.lkfleet.routing.admission.AdmissionResult;
import io.lkfleet.routing.admission.RoomPins;
import io.lkfleet.routing.admission.RouterKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bookings and pin removal are compare-and-set in Redis: concurrent callers cannot undo each other. */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class ConcurrentPlacementTest {
    private static final String REGION = "eu-west";
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @Inject
    ScheduledRooms scheduled;

    @Inject
    RoomPins pins;

    @Inject
    Admission admission;

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void modelBuilt() {
        ModelMarks.markRebuilt(redis, REGION);
    }

    @Test
    void manyConcurrentBookingsForOneNodeHaveExactlyOneWinner() throws Exception {
        String node = "ND_booked_" + UUID.randomUUID();
        Instant until = Instant.now().plusSeconds(600);
        List<Optional<String>> outcomes = concurrently(50, i -> scheduled.claim(REGION, "webinar-" + i + "-" + node,
                200, until, List.of(node)));
        assertEquals(1, outcomes.stream().filter(Optional::isPresent).count(), "one booking took the node");
        String value = redis.hash(String.class).hget(RouterKeys.scheduled(REGION), node);
        String winner = value.substring(0, value.indexOf('|'));
        assertEquals(Optional.of(node), scheduled.claim(REGION, winner, 300, until, List.of(node)),
                "the winner's booking is its own: booking again updates it");
        assertFalse(scheduled.claim(REGION, "late-" + node, 200, until, List.of(node)).isPresent());
        scheduled.release(REGION, winner);
        assertEquals(Optional.of(node), scheduled.claim(REGION, "late-" + node, 200, until, List.of(node)),
                "released, the node is free again");
        scheduled.release(REGION, "late-" + node);
    }

    @Test
    void concurrentReplacementsOfALostRoomLandOnOneNodeAndItsNewPinSurvives() throws Exception {
        NodeLimit limit = new NodeLimit(100_000, 100_000_000);
        for (int round = 0; round < 20; round++) {
            String room = "lost-" + round + "-" + UUID.randomUUID();
            String dead = "ND_dead_" + room;
            redis.value(String.class).set(RouterKeys.pin(REGION, room), dead);
            // every join saw the dead pin; each removes it (only if still the dead node's) and admits on a live node
            List<AdmissionResult> results = concurrently(16, i -> {
                pins.unpin(REGION, room, dead).await().atMost(AWAIT);
                String node = "ND_live_" + (i % 2) + "_" + room;
                return admission.admit(new AdmissionRequest(REGION, node, room, "user-" + i, false, "rl-" + i, limit,
                        Duration.ofMinutes(5), Duration.ofMinutes(5), RoomCost.ZERO, false, "acme", 1_000_000))
                        .await().atMost(AWAIT);
            });
            String pin = redis.value(String.class).get(RouterKeys.pin(REGION, room));
            Set<String> admittedOn = new HashSet<>();
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).outcome() == AdmissionResult.Outcome.ADMITTED) {
                    admittedOn.add("ND_live_" + (i % 2) + "_" + room);
                }
            }
            assertEquals(Set.of(pin), admittedOn, "round " + round + ": every admitted join is on the surviving pin");
        }
    }

    private interface Indexed<T> {
        T call(int i) throws Exception;
    }

    /** Runs {@code n} calls released at once from a latch, and returns their results in order. */
    private static <T> List<T> concurrently(int n, Indexed<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Callable<T> task = () -> {
                start.await();
                return call.call(index);
            };
            futures.add(pool.submit(task));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        pool.shutdown();
        return results;
    }
}
