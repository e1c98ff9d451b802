package io.lkfleet.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * webhook-ingest's own settings (prefix {@code ingest}). Regions, API keys and secrets come from the
 * shared fleet description ({@code fleet.*}), the broker from {@code kafka.bootstrap.servers}.
 */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    /** Largest webhook body accepted, in bytes; larger bodies get 413. LiveKit's are a few KiB. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /**
     * Clock skew tolerated on the token's {@code exp}/{@code nbf}/{@code iat}; LiveKit's own verifier
     * allows 60 s.
     */
    @WithDefault("60s")
    Duration tokenLeeway();

    /**
     * How long one request waits for Kafka's acknowledgement before answering 503. LiveKit has no
     * request timeout, so this bounds how long a room's webhook queue is blocked per attempt.
     */
    @WithDefault("2s")
    Duration produceTimeout();

    /**
     * {@code Retry-After} sent with 503. LiveKit's HTTP client waits exactly this long instead of its
     * 1/2/4/8 s back-off; 4 s stretches its 5 attempts over ~26 s, inside its 30 s queue age limit.
     */
    @WithDefault("4s")
    Duration retryAfter();

    /**
     * Producer compression ({@code none}, {@code gzip}, {@code lz4}, {@code zstd}, {@code snappy}). None by
     * default: every request waits for its own record's ack, so batches hold one or a few 0.5 KiB
     * records, and lz4 set up a 64 KiB block stream per batch (a third of the service's allocation
     * and ~8 % of its CPU in JFR, 2026-12-03) to save a few hundred bytes; the broker validated it too.
     */
    @WithDefault("none")
    String compression();

    /** The local disk spool that holds events while Kafka cannot take them. */
    Spool spool();

    /**
     * Producer {@code linger.ms}. 0: every request waits for its own record's ack, and LiveKit posts a room's
     * next event only after that answer, so a linger is paid once per event of a room (1 ms made one room's
     * events 5× slower to deliver, bench/results/2026-12-03-event-path.md, session 8). Batching under load
     * comes from the one produce request in flight instead.
     */
    @WithDefault("0")
    int lingerMs();

    interface Spool {
        /**
         * Hold events on local disk (fsync before 200) while Kafka is unavailable, instead of answering
         * 503. Off: LiveKit's own retries (~26 s) are the only buffer.
         */
        @WithDefault("true")
        boolean enabled();

        /** Directory of the spool; in production a persistent volume that outlives the pod. */
        @WithDefault("webhook-spool")
        String dir();

        /** Events the spool may hold; beyond it requests get 503 again. */
        @WithDefault("100000")
        int maxEvents();

        /** Spooled events sent to Kafka per drain round, oldest first. */
        @WithDefault("256")
        int drainBatch();
    }
}
