package io.lkfleet.ingest;

/**
 * Why a webhook was not accepted: the HTTP status, the stable problem {@code type} (lkfleet's one
 * scheme, {@link io.lkfleet.common.contract.Problems}) and the metric label. Every 4xx tells LiveKit to forget the event; 503
 * makes it retry.
 */
public enum Reason {
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Content type is not one LiveKit sends"),
    BODY_TOO_LARGE(413, "body-too-large", "Webhook body exceeds the configured limit"),
    MISSING_SIGNATURE(401, "missing-signature", "No Authorization token"),
    INVALID_SIGNATURE(401, "invalid-signature", "Authorization token is malformed or its signature is wrong"),
    UNKNOWN_KEY(401, "unknown-key", "Token issuer is not the API key of any region"),
    TOKEN_NOT_VALID_NOW(401, "token-not-valid-now", "Token is expired or not yet valid"),
    HASH_MISMATCH(401, "hash-mismatch", "Body does not match the token's sha256 claim"),
    MALFORMED_JSON(400, "malformed-json", "Body is not a strict UTF-8 JSON webhook event"),
    MISSING_EVENT_TYPE(400, "missing-event-type", "Event has no type"),
    MISSING_EVENT_ID(400, "missing-event-id", "Event has no id"),
    KAFKA_UNAVAILABLE(503, "kafka-unavailable", "Event could not be stored in time; retry");

    private final int status;
    private final String slug;
    private final String title;

    Reason(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** Metric label and last part of the problem {@code type}. */
    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }
}
