package io.lkfleet.common.contract;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Why a join was refused: one enum shared by region-router (which decides) and token-service (which
 * passes the refusal on to the client unchanged). The {@link #slug} is the problem type's last
 * segment ({@link Problems#type}), the {@code reason} tag of the metrics and the {@code reason} of a
 * {@link DecisionRecord}; it never changes once published.
 */
public enum Reason {
    INVALID_ROOM(400, "invalid-room"),
    INVALID_IDENTITY(400, "invalid-identity"),
    INVALID_ROLE(400, "invalid-role"),
    INVALID_EXPECTED_PARTICIPANTS(400, "invalid-expected-participants"),
    /** The caller of region-router did not authenticate. */
    UNAUTHORIZED(401, "unauthorized"),
    /** The room lives in (or only fits) a region the tenant's residency policy does not allow. */
    REGION_NOT_ALLOWED(403, "region-not-allowed"),
    UNKNOWN_REGION(404, "unknown-region"),
    /**
     * The room's pinned node has no capacity left for this join now (other nodes cannot help: a room
     * never moves). Passing: the node frees up as participants leave or reservations expire, so the
     * client is told to retry, unlike {@link #ROOM_EXCEEDS_NODE}.
     */
    NODE_FULL(503, "node-full"),
    /** With this join the room would not fit on one node on its own: adding nodes cannot help. */
    ROOM_EXCEEDS_NODE(409, "room-exceeds-node"),
    /** The tenant holds its whole allowance of outstanding reservations in this region. */
    RESERVATION_LIMIT(429, "reservation-limit"),
    NO_CAPACITY(503, "no-capacity"),
    NO_HEALTHY_REGION(503, "no-healthy-region"),
    /** The room's node died and no other node of its region can take it now. */
    PINNED_NODE_GONE(503, "pinned-node-gone"),
    /** The region's load model is missing or being rebuilt; admitting now could overbook a node. */
    MODEL_REBUILDING(503, "model-rebuilding"),
    /** lkfleet's Redis did not answer: no admission is possible. */
    STATE_UNAVAILABLE(503, "state-unavailable"),
    /** The region's LiveKit did not create the room. */
    LIVEKIT_UNAVAILABLE(503, "livekit-unavailable");

    private static final Map<String, Reason> BY_SLUG = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Reason::slug, Function.identity()));

    private final int status;
    private final String slug;

    Reason(int status, String slug) {
        this.status = status;
        this.slug = slug;
    }

    /** The HTTP status a refusal for this reason carries. */
    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    /** The problem {@code type} of this reason. */
    public String type() {
        return Problems.type(slug);
    }

    /** True where the client should retry after the answer's {@code Retry-After}. */
    public boolean retryable() {
        return status == 503 || status == 429;
    }

    public static Optional<Reason> ofSlug(String slug) {
        return Optional.ofNullable(slug == null ? null : BY_SLUG.get(slug));
    }

    /** The reason of a problem {@code type} of lkfleet's scheme. */
    public static Optional<Reason> ofType(String type) {
        return ofSlug(Problems.reasonOf(type));
    }
}
