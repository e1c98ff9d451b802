package io.lkfleet.ingest;

/**
 * A webhook refused for {@link #reason()}. {@code region} and {@code eventType} are filled in as far
 * as the request got (null before the token or body was understood); the message never holds the
 * token or the body.
 */
public class WebhookRejectedException extends RuntimeException {
    private final Reason reason;
    private final String region;
    private final String eventType;

    public WebhookRejectedException(Reason reason, String region, String eventType) {
        super(reason.title(), null, false, false);
        this.reason = reason;
        this.region = region;
        this.eventType = eventType;
    }

    public WebhookRejectedException(Reason reason) {
        this(reason, null, null);
    }

    public Reason reason() {
        return reason;
    }

    public String region() {
        return region;
    }

    public String eventType() {
        return eventType;
    }
}
