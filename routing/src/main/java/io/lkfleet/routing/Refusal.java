package io.lkfleet.routing;

import io.lkfleet.common.contract.Reason;
import jakarta.ws.rs.core.Response;

/**
 * A join the router will not admit, with a stable {@code reason} (problem type, metric tag, the
 * decision record's reason) and the projected load that led to it where there is one.
 */
public class Refusal extends RuntimeException {
    private final Response.Status status;
    private final String reason;
    private final String region;
    private final String node;

    public Refusal(Response.Status status, String reason, String detail, String region, String node) {
        super(detail, null, false, false);
        this.status = status;
        this.reason = reason;
        this.region = region;
        this.node = node;
    }

    /** A refusal for one of the {@link Reason}s shared with token-service. */
    public Refusal(Reason reason, String detail, String region, String node) {
        this(Response.Status.fromStatusCode(reason.status()), reason.slug(), detail, region, node);
    }

    public Refusal(Reason reason, String detail) {
        this(reason, detail, null, null);
    }

    public Refusal(Response.Status status, String reason, String detail) {
        this(status, reason, detail, null, null);
    }

    public Response.Status status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public String region() {
        return region;
    }

    public String node() {
        return node;
    }
}
