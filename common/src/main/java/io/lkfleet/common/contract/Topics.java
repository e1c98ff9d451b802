package io.lkfleet.common.contract;

/** Kafka topics shared by the services (design §3); the webhook records' headers are {@link WebhookHeaders}. */
public final class Topics {
    /** LiveKit webhook bodies exactly as sent; key {@code region/room}; ordered per room; headers {@link WebhookHeaders}. */
    public static final String WEBHOOKS = "livekit.webhooks";

    /** One JSON {@link DecisionRecord} per routing/admission decision; key room. */
    public static final String DECISIONS = "fleet.decisions";

    /**
     * Compacted: region-router's operator decisions that must outlive lkfleet's Redis (drains,
     * bookings), one record per decision in force, key and value as {@link AdminState} writes them.
     */
    public static final String ADMIN_STATE = "fleet.admin-state";

    private Topics() {
    }
}
