package io.lkfleet.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop HTTP load at a constant rate, as wrk2 drives it: request i is due at start + i / rate
 * whether or not earlier ones were answered, and its latency counts from when it was due, not from
 * when a connection came free to send it. A server that stalls thus shows its queue in the
 * percentiles instead of slowing the load down (coordinated omission corrected).
 */
final class OpenLoop {
    /** A request unanswered (or failed) within this grace after the last one was due counts as slower than any answer. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    /** Requests due in the measured window: answers by status, failures, latency from due time (ms). */
    record Result(int rate, int due, Map<Integer, Integer> statuses, int failed, double p50Ms, double p99Ms,
            double maxMs) {
    }

    private OpenLoop() {
    }

    /**
     * POSTs the lines of {@code requests} ("auth\tbody", JSON) to {@code url} at {@code rate}/s over
     * {@code connections} keep-alive connections: {@code lead} not counted (connections open, the rate
     * settles), then {@code measure} counted.
     */
    static Result run(Vertx vertx, String url, List<String> requests, int rate, Duration lead, Duration measure,
            int connections) throws InterruptedException {
        URI uri = URI.create(url);
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
        int skipped = (int) (lead.toMillis() * rate / 1000);
        int total = skipped + (int) (measure.toMillis() * rate / 1000);
        long[] latency = new long[total];
        int[] status = new int[total];
        Arrays.fill(latency, Long.MAX_VALUE);
        CountDownLatch answered = new CountDownLatch(total);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        int[] next = {0};
        // one timer on one event loop sends whatever has come due, so sending never waits for answers
        vertx.setPeriodic(1, timer -> {
            long now = System.nanoTime();
            while (next[0] < total && due(start, next[0], rate) <= now) {
                int i = next[0]++;
                long due = due(start, i, rate);
                String[] line = requests.get(i % requests.size()).split("\t", 2);
                client.request(HttpMethod.POST, uri.getRawPath())
                        .compose(request -> request.putHeader("Authorization", line[0])
                                .putHeader("Content-Type", "application/json").send(line[1]))
                        .compose(response -> response.body().map(body -> response.statusCode()))
                        .onComplete(answer -> {
                            if (answer.succeeded()) {
                                latency[i] = System.nanoTime() - due;
                                status[i] = answer.result();
                            }
                            answered.countDown();
                        });
            }
            if (next[0] == total) {
                vertx.cancelTimer(timer);
            }
        });
        answered.await(due(start, total, rate) - System.nanoTime() + GRACE.toNanos(), TimeUnit.NANOSECONDS);
        client.close();

        Map<Integer, Integer> statuses = new TreeMap<>();
        int failed = 0;
        long[] measured = new long[total - skipped];
        for (int i = skipped; i < total; i++) {
            measured[i - skipped] = latency[i];
            if (latency[i] == Long.MAX_VALUE) {
                failed++;
            } else {
                statuses.merge(status[i], 1, Integer::sum);
            }
        }
        Arrays.sort(measured);
        return new Result(rate, measured.length, statuses, failed, millis(CapacityBench.percentile(measured, 50)),
                millis(CapacityBench.percentile(measured, 99)), millis(measured[measured.length - 1]));
    }

    private static long due(long start, int i, int rate) {
        return start + i * 1_000_000_000L / rate;
    }

    /** Unanswered requests are infinitely slow. */
    private static double millis(long nanos) {
        return nanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : nanos / 1e6;
    }
}
