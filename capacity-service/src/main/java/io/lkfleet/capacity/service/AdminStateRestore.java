package io.lkfleet.capacity.service;

import io.lkfleet.capacity.store.AdminStateStore;
import io.lkfleet.common.contract.AdminState;
import io.lkfleet.common.contract.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Puts region-router's drains and bookings back into lkfleet's Redis from the compacted topic
 * {@code fleet.admin-state}, where the router records every one of them. A rebuild runs it before
 * it marks the model whole, so admission never resumes without them. The topic holds the decisions
 * in force (latest record per key; a tombstone withdraws), so the read is bounded by them, not by
 * history.
 */
@ApplicationScoped
public class AdminStateRestore {
    private static final Logger LOG = Logger.getLogger(AdminStateRestore.class);

    private final TopicReader topics;
    private final AdminStateStore store;

    public AdminStateRestore(TopicReader topics, AdminStateStore store) {
        this.topics = topics;
        this.store = store;
    }

    /** Restores {@code region}'s decisions in force; returns how many Redis lacked. */
    public long restore(String region) {
        Map<String, Optional<AdminState>> latest = new HashMap<>();
        topics.readAll(Topics.ADMIN_STATE, record -> {
            if (!region.equals(AdminState.regionOf(record.key() == null ? "" : record.key()))) {
                return;
            }
            try {
                latest.put(record.key(), AdminState.parse(record.key(), record.value()));
            } catch (IllegalArgumentException e) {
                LOG.warnf("skipping a record of %s that is no admin decision: %s", Topics.ADMIN_STATE, e.getMessage());
            }
        });
        long now = System.currentTimeMillis();
        List<AdminState.Drain> drains = new ArrayList<>();
        List<AdminState.Booking> bookings = new ArrayList<>();
        latest.values().forEach(decision -> decision.ifPresent(d -> {
            if (d instanceof AdminState.Drain drain) {
                drains.add(drain);
            } else if (d instanceof AdminState.Booking booking && booking.untilEpochMs() > now) {
                bookings.add(booking);
            }
        }));
        long restored = store.restore(region, drains, bookings);
        if (restored > 0) {
            LOG.infof("restored %d of region %s's drains and bookings from %s", restored, region, Topics.ADMIN_STATE);
        }
        return restored;
    }
}
