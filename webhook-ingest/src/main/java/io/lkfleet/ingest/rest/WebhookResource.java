package io.lkfleet.ingest.rest;

import io.lkfleet.ingest.Reason;
import io.lkfleet.ingest.WebhookRejectedException;
import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.event.WebhookEventParser;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import io.lkfleet.ingest.service.EventStore;
import io.lkfleet.ingest.verify.SignatureVerifier;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /webhook}, called by every LiveKit node of every region. Answers 200 only once the event
 * is in Kafka or fsynced in the local spool. Runs on the event loop (the body is read there, not by a
 * blocked worker) and answers when the ack arrives, without a thread waiting for it.
 */
@Path(WebhookResource.PATH)
public class WebhookResource {
    public static final String PATH = "/webhook";
    /** What LiveKit sends (no charset); plain JSON too, for tools that replay webhooks. */
    public static final String LIVEKIT_MEDIA_TYPE = "application/webhook+json";
    public static final Set<String> MEDIA_TYPES = Set.of(LIVEKIT_MEDIA_TYPE, MediaType.APPLICATION_JSON);

    private final IngestConfig config;
    private final SignatureVerifier verifier;
    private final WebhookEventParser parser;
    private final EventStore store;
    private final WebhookMetrics metrics;

    public WebhookResource(IngestConfig config, SignatureVerifier verifier, WebhookEventParser parser,
            EventStore store, WebhookMetrics metrics) {
        this.config = config;
        this.verifier = verifier;
        this.parser = parser;
        this.store = store;
        this.metrics = metrics;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> receive(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        Context request = Vertx.currentContext();
        AtomicInteger inFlight = metrics.inFlight();
        inFlight.incrementAndGet();
        CompletableFuture<Response> answer = new CompletableFuture<>();
        try {
            requireLiveKitMediaType(contentType);
            byte[] bytes = body == null ? new byte[0] : body;
            if (bytes.length > config.maxBodyBytes()) {
                throw new WebhookRejectedException(Reason.BODY_TOO_LARGE);
            }
            String region = verifier.verify(authorization, bytes);
            ParsedEvent event = parser.parse(region, bytes);
            // The ack arrives on Kafka's I/O thread: answer from the request's own event loop, not there.
            store.store(region, event, bytes).whenComplete((stored, error) -> request.runOnContext(v -> {
                inFlight.decrementAndGet();
                if (error == null) {
                    metrics.accepted(region, event.type());
                    answer.complete(Response.ok().build());
                } else {
                    answer.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error);
                }
            }));
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private static void requireLiveKitMediaType(String contentType) {
        if (LIVEKIT_MEDIA_TYPE.equals(contentType)) {
            return; // exactly what LiveKit sends: nothing to parse
        }
        MediaType type;
        try {
            type = MediaType.valueOf(contentType);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WebhookRejectedException(Reason.UNSUPPORTED_MEDIA_TYPE);
        }
        String charset = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        boolean utf8 = charset == null || charset.equalsIgnoreCase("utf-8");
        if (!utf8 || !MEDIA_TYPES.contains((type.getType() + "/" + type.getSubtype()).toLowerCase())) {
            throw new WebhookRejectedException(Reason.UNSUPPORTED_MEDIA_TYPE);
        }
    }
}
