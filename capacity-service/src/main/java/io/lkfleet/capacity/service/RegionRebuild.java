package io.lkfleet.capacity.service;

import io.lkfleet.capacity.listener.WebhookParser;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.contract.Topics;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * Rebuilds one region's model: wipes its keys, then replays {@code livekit.webhooks} from the
 * beginning up to the end offsets seen after the wipe. Safe while the live consumer runs (this
 * instance's writes wait during the wipe, see LoadStore#wipe): an event it applies meanwhile is
 * either replayed too (and de-duplicated by id) or beyond the replay, and the apply script
 * tolerates the reordering. Room placement and node state return with the next registry poll.
 */
@ApplicationScoped
public class RegionRebuild {
    private static final Logger LOG = Logger.getLogger(RegionRebuild.class);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    /** Life of the rebuilding mark between two polls of the topic. */
    private static final Duration MARK_TTL = Duration.ofSeconds(60);

    /** What a rebuild did. */
    @RegisterForReflection
    public record Result(String region, long recordsRead, long eventsApplied, long tookMs) {
    }

    private final LoadStore store;
    private final WebhookParser parser;
    private final TopicReader topics;
    private final AdminStateRestore adminState;

    public RegionRebuild(LoadStore store, WebhookParser parser, TopicReader topics, AdminStateRestore adminState) {
        this.store = store;
        this.parser = parser;
        this.topics = topics;
        this.adminState = adminState;
    }

    /** Rebuilds {@code region} (one rebuild at a time in this instance). */
    public synchronized Result rebuild(String region) {
        long started = System.nanoTime();
        // Marked before the replay: should Redis lose the model again meanwhile, the mark goes too.
        store.markRebuilding(region, MARK_TTL);
        long wiped = store.wipe(region);
        long[] counts = new long[2]; // records read, events applied
        try {
            topics.readAll(Topics.WEBHOOKS, record -> {
                if (counts[0]++ % 2000 == 0) {
                    store.stillRebuilding(region, MARK_TTL);
                }
                if (region.equals(regionOf(record)) && apply(region, record)) {
                    counts[1]++;
                }
            });
            // before the mark: admission resumes only with the operator's drains and bookings in place
            adminState.restore(region);
        } catch (RuntimeException e) {
            store.unmarkModel(region); // half a replay is no model: the watch tries again
            throw e;
        }
        long read = counts[0];
        long applied = counts[1];
        store.markRebuilt(region);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        LOG.infof("rebuilt region %s: wiped %d keys, read %d records, applied %d events in %d ms", region, wiped, read,
                applied, tookMs);
        return new Result(region, read, applied, tookMs);
    }

    /**
     * Rebuilds {@code region} if its model has no mark, claiming it first (SET NX), so of several
     * instances that notice the loss one rebuilds, and under the same lock as {@link #rebuild}, so
     * a rebuild just finished here is not run again; empty when the mark was there.
     */
    public synchronized Optional<Result> rebuildIfLost(String region) {
        return store.claimRebuild(region, MARK_TTL) ? Optional.of(rebuild(region)) : Optional.empty();
    }

    private boolean apply(String region, ConsumerRecord<String, String> record) {
        try {
            return LoadStore.APPLIED.equals(store.apply(parser.parse(region, record.value())).await().atMost(APPLY_TIMEOUT));
        } catch (WebhookParser.MalformedWebhookException e) {
            return false; // the live consumer sent it to the dead-letter topic already
        }
    }

    private static String regionOf(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(Topics.HEADER_REGION);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
