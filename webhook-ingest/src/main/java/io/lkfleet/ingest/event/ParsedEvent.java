package io.lkfleet.ingest.event;

/** What the producer needs from a verified event: its type, its id and its Kafka record key. */
public record ParsedEvent(String type, String id, String key) {
}
