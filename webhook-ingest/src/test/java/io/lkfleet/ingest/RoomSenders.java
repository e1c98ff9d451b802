package io.lkfleet.ingest;

import static io.lkfleet.ingest.Webhooks.LIVEKIT_MEDIA_TYPE;
import static io.lkfleet.ingest.Webhooks.newId;
import static io.lkfleet.ingest.Webhooks.region;
import static io.lkfleet.ingest.Webhooks.roomEvent;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * LiveKit's delivery shape: one sender per room, one request at a time, rooms alternating between
 * the two regions. Records every event sent and its answer.
 */
final class RoomSenders implements AutoCloseable {
    /** One event as sent (the {@code seq}-th of its room) and what it was answered. */
    record Sent(String id, String key, int seq, byte[] body, String token, int status, String retryAfter, long millis) {
    }

    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService threads;
    private final List<Future<?>> senders;

    /** Sends until {@link #stop()} or until {@code keepGoing} turns false. */
    RoomSenders(int rooms, String roomPrefix, BooleanSupplier keepGoing) {
        threads = Executors.newFixedThreadPool(rooms);
        senders = IntStream.range(0, rooms).mapToObj(room -> threads.submit(() -> {
            String region = room % 2 == 0 ? "eu-west" : "eu-central";
            String name = roomPrefix + "-" + room;
            for (int seq = 0; !stop.get() && keepGoing.getAsBoolean(); seq++) {
                String id = newId();
                byte[] body = roomEvent("participant_joined", id, name);
                String token = Webhooks.token(region(region), body);
                long start = System.nanoTime();
                Webhooks.Answer answer = Webhooks.send("POST", LIVEKIT_MEDIA_TYPE, token, body);
                sent.put(id, new Sent(id, region + "/" + name, seq, body, token, answer.status(), answer.retryAfter(),
                        (System.nanoTime() - start) / 1_000_000));
            }
        })).collect(Collectors.toList());
    }

    long count(int status) {
        return sent.values().stream().filter(s -> s.status() == status).count();
    }

    Set<String> ids(int status) {
        return sent.values().stream().filter(s -> s.status() == status).map(Sent::id).collect(Collectors.toSet());
    }

    Collection<Sent> sent() {
        return sent.values();
    }

    Map<Integer, Long> byStatus() {
        return sent.values().stream().collect(Collectors.groupingBy(Sent::status, Collectors.counting()));
    }

    long slowestMillis() {
        return sent.values().stream().mapToLong(Sent::millis).max().orElse(0);
    }

    /**
     * Fails if some request was not answered within the produce timeout, give or take what a starved
     * 2-core box adds to a request (seen: 3.4 s while other fleets ran). A hang waits for the client's
     * own 30 s timeout, so it still fails here.
     */
    void assertNoneHung(Duration produceTimeout) {
        long bound = produceTimeout.toMillis() + 10_000;
        if (slowestMillis() >= bound) {
            throw new AssertionError("a request hung for " + slowestMillis() + " ms (bound " + bound + " ms)");
        }
    }

    /** Stops sending and waits for the requests under way; fails if a sender failed. */
    void stop() throws ExecutionException, InterruptedException, TimeoutException {
        stop.set(true);
        for (Future<?> sender : senders) {
            sender.get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        stop.set(true);
        threads.shutdownNow();
    }
}
