package io.lkfleet.capacity.service;

import io.lkfleet.capacity.registry.LiveKitRooms;
import io.lkfleet.capacity.registry.RegistryPoller;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.capacity.store.ModelClaim;
import io.lkfleet.common.contract.Topics;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Rebuilds one region's model from LiveKit's present state, so recovery is bounded by the fleet as
 * it is now, not by the topic's history: under the region's one claim ({@link ModelClaim}), it
 * notes where {@code livekit.webhooks} ends, reads every room with its participants, tracks and
 * egress from LiveKit's API, wipes the region's model, writes the rooms back as the events that
 * would have built them ({@link SnapshotEvents}, through the same apply script as live events),
 * puts them on the nodes LiveKit's {@code room_node_map} names with the nodes' liveness and
 * measured load, restores the operator's drains and bookings, and releases the claim with the
 * noted offsets: the live stream resumes there, and any event below them (it happened before the
 * read, so the read holds it) is skipped. While it holds the claim, Redis refuses every other write
 * to the region's model (model_gate.lua), whichever instance sends it.
 */
@ApplicationScoped
public class RegionRebuild {
    private static final Logger LOG = Logger.getLogger(RegionRebuild.class);
    /** Life of the claim between two signs of life of its rebuild. */
    private static final Duration CLAIM_TTL = Duration.ofSeconds(30);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** Rooms written at once; each room's events stay in order. */
    private static final int PARALLEL_ROOMS = 16;

    /** What a rebuild did. */
    @RegisterForReflection
    public record Result(String region, int rooms, int participants, long events, long tookMs) {
    }

    private final ModelClaim claims;
    private final LoadStore store;
    private final LiveKitRooms livekit;
    private final RegistryPoller registry;
    private final TopicReader topics;
    private final AdminStateRestore adminState;
    /** Region → the claim of this instance's failed rebuild that Redis has not let it give up yet. */
    private final Map<String, String> failedClaims = new ConcurrentHashMap<>();

    public RegionRebuild(ModelClaim claims, LoadStore store, LiveKitRooms livekit, RegistryPoller registry,
            TopicReader topics, AdminStateRestore adminState) {
        this.claims = claims;
        this.store = store;
        this.livekit = livekit;
        this.registry = registry;
        this.topics = topics;
        this.adminState = adminState;
    }

    /** Rebuilds {@code region}; empty when another rebuild holds its claim. */
    public Optional<Result> rebuild(String region) {
        abandonFailed(region);
        return claims.claim(region, CLAIM_TTL).map(claim -> rebuild(region, claim));
    }

    /** Rebuilds {@code region} if Redis lost its model (no mark); of several instances that notice, one does. */
    public Optional<Result> rebuildIfLost(String region) {
        abandonFailed(region);
        return claims.claimLost(region, CLAIM_TTL).map(claim -> rebuild(region, claim));
    }

    /**
     * Gives up the claim of this instance's failed rebuild that Redis did not let it give up then
     * (Redis refused or did not answer, as often as not the cause of the failure): now that Redis
     * answers, the region is free for the next rebuild at once, not when the claim expires. Throws
     * while Redis still refuses; the next attempt tries again.
     */
    private void abandonFailed(String region) {
        String claim = failedClaims.get(region);
        if (claim != null) {
            claims.abandon(region, claim);
            failedClaims.remove(region, claim);
            LOG.infof("gave up region %s's claim of a failed rebuild: the region is free to rebuild", region);
        }
    }

    private Result rebuild(String region, String claim) {
        long started = System.nanoTime();
        try {
            // noted before LiveKit is read: an event below these offsets happened before the read
            Map<Integer, Long> resumeAt = topics.endOffsets(Topics.WEBHOOKS).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
            List<LiveKitRooms.RoomNow> rooms = livekit.rooms(region);
            alive(region, claim);
            long wiped = store.wipe(region);
            String rebuild = claim.substring(claim.lastIndexOf(' ') + 1);
            long now = System.currentTimeMillis() / 1000;
            // one pipeline per room (its events in order), a few rooms at once; only this claim passes the gate
            List<Integer> written = Multi.createFrom().iterable(rooms)
                    .onItem().transformToUni(room -> store.applyAll(SnapshotEvents.of(region, rebuild, room, now),
                            List.of(), claim).map(List::size))
                    .merge(PARALLEL_ROOMS)
                    .collect().asList().await().atMost(WRITE_TIMEOUT);
            alive(region, claim);
            registry.sync(region, claim); // node liveness and measured load; rooms onto the nodes LiveKit pinned them to
            adminState.restore(region); // before the mark: admission resumes only with drains and bookings in place
            if (!claims.release(region, claim, resumeAt)) {
                throw new IllegalStateException("region " + region + "'s rebuild claim expired or was lost with the model");
            }
            long events = written.stream().mapToLong(Integer::longValue).sum();
            int participants = rooms.stream().mapToInt(r -> r.participants().size()).sum();
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            LOG.infof("rebuilt region %s from LiveKit: wiped %d keys, %d rooms, %d participants, %d events in %d ms;"
                    + " the stream resumes at %s", region, wiped, rooms.size(), participants, events, tookMs, resumeAt);
            return new Result(region, rooms.size(), participants, events, tookMs);
        } catch (RuntimeException e) {
            // no mark, no model: the watch rebuilds it again
            failedClaims.put(region, claim);
            try {
                abandonFailed(region);
            } catch (RuntimeException refused) {
                e.addSuppressed(refused);
            }
            throw e;
        }
    }

    private void alive(String region, String claim) {
        if (!claims.renew(region, claim, CLAIM_TTL)) {
            throw new IllegalStateException("region " + region + "'s rebuild claim expired or was lost with the model");
        }
    }
}
