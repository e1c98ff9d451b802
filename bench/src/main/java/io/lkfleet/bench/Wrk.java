package io.lkfleet.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** wrk with {@code bench/wrk-post.lua}: 2 threads, fixed connections, fixed duration. */
final class Wrk {
    static final int THREADS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What wrk-post.lua printed. Latencies in µs. */
    record Result(@JsonProperty("requests") long requests, @JsonProperty("duration_us") long durationUs,
            @JsonProperty("p50_us") long p50Us, @JsonProperty("p90_us") long p90Us, @JsonProperty("p99_us") long p99Us,
            @JsonProperty("max_us") long maxUs, @JsonProperty("socket_errors") long socketErrors,
            @JsonProperty("statuses") TreeMap<String, Long> statuses) {

        double ratePerSecond() {
            return requests * 1e6 / durationUs;
        }

        /** Answers per second with {@code status}. */
        double ratePerSecond(int status) {
            return statuses.getOrDefault(Integer.toString(status), 0L) * 1e6 / durationUs;
        }

        long count(int status) {
            return statuses.getOrDefault(Integer.toString(status), 0L);
        }

        String statusMix() {
            return statuses.entrySet().stream().map(e -> e.getKey() + "×" + e.getValue())
                    .reduce((a, b) -> a + ", " + b).orElse("none") + (socketErrors > 0 ? ", socket errors×" + socketErrors : "");
        }
    }

    private final Path script;
    private final Path log;

    Wrk(Path script, Path log) {
        this.script = script;
        this.log = log;
    }

    /** POSTs the lines of {@code requests} ("auth\tbody") at {@code url} for {@code duration}. */
    Result run(String url, Path requests, String contentType, int connections, Duration duration) {
        String out = Procs.run(List.of("wrk", "-t" + THREADS, "-c" + connections, "-d" + duration.toSeconds() + "s",
                "--timeout", "5s", "-s", script.toString(), url),
                Map.of("BENCH_REQUESTS", requests.toString(), "BENCH_CONTENT_TYPE", contentType,
                        "BENCH_THREADS", Integer.toString(THREADS)),
                duration.plusSeconds(60), log);
        String line = out.lines().filter(l -> l.startsWith("BENCH-RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no result (see " + log + ")"));
        try {
            return JSON.readValue(line.substring("BENCH-RESULT ".length()), Result.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read wrk's result " + line, e);
        }
    }

    /** Writes a request file: one "auth\tbody" line per request. */
    static Path requestFile(Path file, List<String> lines) {
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
            return file;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
