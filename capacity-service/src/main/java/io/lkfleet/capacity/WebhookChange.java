package io.lkfleet.capacity;

/**
 * One LiveKit webhook event reduced to what the load model needs. Empty strings stand for absent
 * fields (they travel to the Lua script as arguments).
 *
 * @param trackKind {@code video} (camera), {@code audio}, {@code screen} or empty for tracks the model ignores
 * @param egressActive whether the egress is starting, active or ending (not yet terminal)
 */
public record WebhookChange(String region, String eventId, String type, long createdAt, String room, String roomSid,
        String participantSid, String participantIdentity, String trackSid, String trackKind, String egressId, boolean egressActive) {
}
