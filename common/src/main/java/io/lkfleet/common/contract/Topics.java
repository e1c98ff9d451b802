package io.lkfleet.common.contract;

/** Kafka topics and record headers shared by the services (design §3). */
public final class Topics {
    /** LiveKit webhook bodies exactly as sent; key {@code region/room}; ordered per room. */
    public static final String WEBHOOKS = "livekit.webhooks";

    /** One JSON record per routing/admission decision. */
    public static final String DECISIONS = "fleet.decisions";

    /**
     * Compacted: region-router's operator decisions that must outlive lkfleet's Redis (drains,
     * bookings), one record per decision in force, key and value as {@link AdminState} writes them.
     */
    public static final String ADMIN_STATE = "fleet.admin-state";

    /** Header: region that sent the webhook (named by the API key in its {@code iss}). */
    public static final String HEADER_REGION = "lkfleet-region";

    /** Header: webhook event type, e.g. {@code participant_joined}. */
    public static final String HEADER_EVENT = "lkfleet-event";

    /** Header: LiveKit's event id ({@code EV_...}), the idempotency key. */
    public static final String HEADER_EVENT_ID = "lkfleet-event-id";

    private Topics() {
    }
}
