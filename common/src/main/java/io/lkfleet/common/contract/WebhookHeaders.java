package io.lkfleet.common.contract;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The headers of a {@link Topics#WEBHOOKS} record: written by webhook-ingest, read by
 * capacity-service (and its rebuild, which replays records of every version still in the topic).
 * Versioned: {@value #VERSION_HEADER} is written; a record without it is version 1 (written before
 * the header existed). A header's meaning never changes within a version. Needs
 * {@code kafka-clients}, an optional dependency of common.
 *
 * @param region the region that sent the webhook (named by the API key in its {@code iss})
 * @param eventType the webhook event type, e.g. {@code participant_joined}
 * @param eventId LiveKit's event id ({@code EV_...}), the idempotency key
 */
public record WebhookHeaders(int version, String region, String eventType, String eventId) {
    public static final int VERSION = 1;
    public static final String VERSION_HEADER = "lkfleet-version";
    public static final String REGION = "lkfleet-region";
    public static final String EVENT = "lkfleet-event";
    public static final String EVENT_ID = "lkfleet-event-id";

    /** The headers of a record written now. */
    public static WebhookHeaders of(String region, String eventType, String eventId) {
        return new WebhookHeaders(VERSION, region, eventType, eventId);
    }

    /** As Kafka record headers. */
    public List<Header> toKafka() {
        return List.of(header(VERSION_HEADER, Integer.toString(version)), header(REGION, region),
                header(EVENT, eventType), header(EVENT_ID, eventId));
    }

    /**
     * The headers of a consumed record; empty where one is missing or the version is newer than
     * this reader knows (such a record cannot be applied by this build).
     */
    public static Optional<WebhookHeaders> read(Headers headers) {
        String version = value(headers, VERSION_HEADER);
        String region = value(headers, REGION);
        String type = value(headers, EVENT);
        String id = value(headers, EVENT_ID);
        int parsed;
        try {
            parsed = version == null ? 1 : Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (region == null || type == null || id == null || parsed < 1 || parsed > VERSION) {
            return Optional.empty();
        }
        return Optional.of(new WebhookHeaders(parsed, region, type, id));
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String value(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
