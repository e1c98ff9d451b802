package io.lkfleet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.local.testing.RtcParticipants;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/**
 * Client apps that keep starting 2-person camera+mic calls (real participants, tokens from
 * token-service through its balancer), each call held until the scenario moves on to its next step
 * and then left, so calls join and leave around every fault. A refused token (503) is asked again
 * after its Retry-After, or at the next step. Every answer other than 201 or 503 with Retry-After
 * is written down, as is every join that failed.
 */
final class CallChurn implements AutoCloseable {
    static final String ROOM_PREFIX = "dev-chaos-";

    private final String tokenUrl;
    private final int callers;
    private final ExecutorService threads;
    private final AtomicInteger step = new AtomicInteger();
    private volatile boolean settling;
    private volatile boolean stopped;
    private final Map<Integer, AtomicInteger> attemptsByStep = new ConcurrentHashMap<>();
    private final List<String> wrongAnswers = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failedJoins = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();

    private CallChurn(String tokenUrl, int callers) {
        this.tokenUrl = tokenUrl;
        this.callers = callers;
        this.threads = Executors.newFixedThreadPool(callers);
    }

    static CallChurn start(String tokenUrl, int callers) {
        CallChurn churn = new CallChurn(tokenUrl, callers);
        for (int i = 0; i < callers; i++) {
            int caller = i;
            churn.threads.submit(() -> churn.call(caller));
        }
        return churn;
    }

    /** The next step: calls of the current one leave, and every caller starts a new one. */
    void next() {
        step.incrementAndGet();
    }

    /** Waits until every caller has joined a call or been refused in the current step. */
    void awaitEveryCallerTried(Duration atMost) {
        int current = step.get();
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> attempts(current).get() >= callers);
    }

    /** The last step: each caller tries once more and keeps the call it gets until {@link #close()}. */
    void settle() {
        settling = true;
        next();
    }

    private void call(int caller) {
        // one client app: its connections to the balancer stay open from one token request to the next
        HttpClient app = HttpClient.newHttpClient();
        while (!stopped) {
            int current = step.get();
            boolean last = settling;
            String room = ROOM_PREFIX + caller + "-" + current + "-" + System.nanoTime();
            Answer alice = token(app, room, "alice");
            Answer bob = alice.token() == null ? alice : token(app, room, "bob");
            RtcParticipants call = null;
            if (alice.token() != null && bob.token() != null) {
                try {
                    call = RtcParticipants.join(List.of(spec("alice", alice.token()), spec("bob", bob.token())),
                            Duration.ofSeconds(20));
                    calls.incrementAndGet();
                    call.failed().forEach(f -> failedJoins.add(room + ": " + f));
                    live.incrementAndGet();
                } catch (RuntimeException e) {
                    failedJoins.add(room + ": " + e);
                }
            }
            attempts(current).incrementAndGet();
            long retryAt = System.nanoTime() + Duration.ofSeconds(bob.retryAfterSeconds()).toNanos();
            boolean joined = call != null;
            waitFor(() -> stopped || (!last && (step.get() != current || (!joined && System.nanoTime() >= retryAt))));
            if (call != null) {
                call.close();
                live.decrementAndGet();
            }
        }
    }

    private static void waitFor(BooleanSupplier condition) {
        Awaitility.await().forever().pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }

    private AtomicInteger attempts(int forStep) {
        return attemptsByStep.computeIfAbsent(forStep, s -> new AtomicInteger());
    }

    /** A token (201) or a refusal to retry after some seconds; anything else is written down as wrong. */
    private record Answer(JsonNode token, long retryAfterSeconds) {
    }

    private Answer token(HttpClient app, String room, String identity) {
        Map<String, Object> body = Map.of("room_name", room, "participant_identity", identity);
        try {
            HttpResponse<String> response = app.send(HttpRequest.newBuilder(URI.create(tokenUrl))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + E2eFleet.DEV_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(E2eFleet.JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201) {
                issued.incrementAndGet();
                return new Answer(E2eFleet.JSON.readTree(response.body()), 0);
            }
            var retryAfter = response.headers().firstValue("Retry-After");
            if (response.statusCode() == 503 && retryAfter.isPresent()) {
                refused.incrementAndGet();
                return new Answer(null, Long.parseLong(retryAfter.get()));
            }
            wrongAnswers.add(identity + " in " + room + ": " + response.statusCode() + " " + response.body());
        } catch (IOException e) {
            wrongAnswers.add(identity + " in " + room + ": no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Answer(null, 1);
    }

    private static RtcParticipants.Spec spec(String label, JsonNode token) {
        return new RtcParticipants.Spec(label, token.path("server_url").asText(),
                token.path("participant_token").asText(), List.of("audio", "video"), true);
    }

    /** Calls held right now (after {@link #settle()}: the ones kept). */
    int live() {
        return live.get();
    }

    /** Answers other than 201 or 503 with Retry-After. */
    List<String> wrongAnswers() {
        return List.copyOf(wrongAnswers);
    }

    List<String> failedJoins() {
        return List.copyOf(failedJoins);
    }

    String summary() {
        return String.format("%d callers: %d tokens issued (201), %d refused (503 with Retry-After), %d other answers;"
                + " %d calls joined over %d steps, %d failed joins", callers, issued.get(), refused.get(),
                wrongAnswers.size(), calls.get(), step.get() + 1, failedJoins.size());
    }

    /** Every call leaves; waits for the callers to end. */
    @Override
    public void close() {
        stopped = true;
        threads.shutdown();
        try {
            if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
