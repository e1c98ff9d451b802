package io.lkfleet.token.rest;

import io.lkfleet.common.contract.Reason;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * A refusal with its RFC 9457 problem: {@code reason} is stable (it becomes the problem {@code type}
 * of lkfleet's one scheme, {@link io.lkfleet.common.contract.Problems}, and the metric's
 * {@code reason} tag); {@code detail} says what exactly was wrong, never a secret.
 */
public class Problem extends RuntimeException {
    private final Response.StatusType status;
    private final String reason;
    private final Optional<String> field;
    private final Optional<Integer> retryAfterSeconds;

    public Problem(Response.StatusType status, String reason, String detail) {
        this(status, reason, detail, Optional.empty(), Optional.empty());
    }

    private Problem(Response.StatusType status, String reason, String detail, Optional<String> field,
            Optional<Integer> retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.reason = reason;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A refusal about one request field, with its own reason. */
    public static Problem of(Response.StatusType status, String reason, String field, String detail) {
        return new Problem(status, reason, detail, Optional.of(field), Optional.empty());
    }

    /** 400 for one request field. */
    public static Problem invalidField(String field, String detail) {
        return new Problem(Response.Status.BAD_REQUEST, "invalid-" + field.replace('_', '-'), detail,
                Optional.of(field), Optional.empty());
    }

    /** 503 with the Retry-After a client should honour. */
    public static Problem retryLater(String reason, String detail, int retryAfterSeconds) {
        return new Problem(Response.Status.SERVICE_UNAVAILABLE, reason, detail, Optional.empty(),
                Optional.of(retryAfterSeconds));
    }

    /** A {@link Reason} shared with region-router, with Retry-After where the reason is {@link Reason#retryable}. */
    public static Problem of(Reason reason, String detail, int retryAfterSeconds) {
        return new Problem(Response.Status.fromStatusCode(reason.status()), reason.slug(), detail, Optional.empty(),
                reason.retryable() ? Optional.of(retryAfterSeconds) : Optional.empty());
    }

    /** 429 with Retry-After. */
    public static Problem rateLimited(String detail, int retryAfterSeconds) {
        return new Problem(Response.Status.TOO_MANY_REQUESTS, "rate-limited", detail, Optional.empty(),
                Optional.of(retryAfterSeconds));
    }

    public Response.StatusType status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public Optional<String> field() {
        return field;
    }

    public Optional<Integer> retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
