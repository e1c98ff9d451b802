package io.lkfleet.router.admin;

import io.lkfleet.common.contract.AdminState;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.routing.Refusal;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Records the operator's drains and bookings in the compacted topic {@code fleet.admin-state}, so
 * they outlive lkfleet's Redis: capacity-service puts them back when it rebuilds a region's model
 * (before admission resumes). An admin call is answered only once Kafka has its record (acks=all);
 * when it cannot be written the call fails with 503 and the caller retries.
 */
@ApplicationScoped
public class AdminStateLog {
    public static final String CHANNEL = "admin-state";
    private static final Logger LOG = Logger.getLogger(AdminStateLog.class);
    private static final long ACK_TIMEOUT_SECONDS = 10;

    private final Emitter<Record<String, String>> emitter;

    public AdminStateLog(@Channel(CHANNEL) Emitter<Record<String, String>> emitter) {
        this.emitter = emitter;
    }

    /** The decision is in force. */
    public void record(AdminState decision) {
        write(decision.key(), decision.value());
    }

    /** The decision under {@code key} is withdrawn (a tombstone: compaction drops the key). */
    public void withdraw(String key) {
        write(key, null);
    }

    private void write(String key, String value) {
        try {
            emitter.send(Record.of(key, value)).toCompletableFuture().get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("admin decision %s not recorded in %s: %s", key, Topics.ADMIN_STATE, e.toString());
            throw unrecorded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unrecorded();
        }
    }

    private static Refusal unrecorded() {
        return new Refusal(Reason.STATE_UNAVAILABLE, "the change is applied but could not be made durable; repeat the call");
    }
}
