package io.lkfleet.ingest.rest;

import io.lkfleet.common.contract.Problems;
import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Turns every refusal into RFC 9457 problem+json of lkfleet's one scheme ({@link Problems}) with a
 * stable {@code type} per {@link Reason}, and counts it. The detail names the reason only: never the
 * token, the secret or the body.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<WebhookRejectedException> {
    private final WebhookMetrics metrics;
    private final IngestConfig config;

    public ProblemMapper(WebhookMetrics metrics, IngestConfig config) {
        this.metrics = metrics;
        this.config = config;
    }

    @Override
    public Response toResponse(WebhookRejectedException e) {
        Reason reason = e.reason();
        metrics.rejected(e.region(), e.eventType(), reason);
        Response.ResponseBuilder response = Response.status(reason.status())
                .type(Problems.MEDIA_TYPE)
                .entity(Problems.document(reason.slug(), reason.status(),
                        Response.Status.fromStatusCode(reason.status()).getReasonPhrase(), e.getMessage()));
        if (reason == Reason.KAFKA_UNAVAILABLE) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(config.retryAfter().toSeconds()));
        }
        return response.build();
    }
}
