package io.lkfleet.token;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * LiveKit's standard token-endpoint request (what the client SDKs' {@code TokenSource.endpoint}
 * sends, snake_case; camelCase accepted too), with lkfleet's extensions beside the standard fields.
 */
@RegisterForReflection // read by TokenRequestReader, not as a JAX-RS parameter Quarkus would register
public record TokenRequest(
        @JsonProperty("room_name") @JsonAlias("roomName") String roomName,
        @JsonProperty("participant_identity") @JsonAlias("participantIdentity") String participantIdentity,
        @JsonProperty("participant_name") @JsonAlias("participantName") String participantName,
        @JsonProperty("participant_metadata") @JsonAlias("participantMetadata") String participantMetadata,
        @JsonProperty("participant_attributes") @JsonAlias("participantAttributes") Map<String, String> participantAttributes,
        @JsonProperty("room_config") @JsonAlias("roomConfig") RoomConfig roomConfig,
        /** Extension: the client's measured round-trip time to each region, in ms. */
        @JsonProperty("region_rtt_ms") @JsonAlias("regionRttMs") Map<String, Integer> regionRttMs,
        /** Extension: grants asked for (publish, subscribe, publish-data, hidden, recorder); default: the tenant's. */
        @JsonProperty("grants") List<String> grants,
        /** Extension: token lifetime asked for, capped by the tenant's maximum. */
        @JsonProperty("ttl_seconds") @JsonAlias("ttlSeconds") Integer ttlSeconds,
        /** Extension: expected size of a new room, so placement can keep big rooms on big nodes. */
        @JsonProperty("expected_participants") @JsonAlias("expectedParticipants") Integer expectedParticipants,
        /** Extension: how many of them publish camera+mic (default: all); a webinar has one. */
        @JsonProperty("expected_publishers") @JsonAlias("expectedPublishers") Integer expectedPublishers) {

    /** LiveKit's {@code RoomConfiguration}, as the token endpoint receives it. */
    @RegisterForReflection
    public record RoomConfig(
            @JsonProperty("name") String name,
            @JsonProperty("empty_timeout") @JsonAlias("emptyTimeout") Integer emptyTimeout,
            @JsonProperty("departure_timeout") @JsonAlias("departureTimeout") Integer departureTimeout,
            @JsonProperty("max_participants") @JsonAlias("maxParticipants") Integer maxParticipants,
            @JsonProperty("metadata") String metadata,
            @JsonProperty("egress") Map<String, Object> egress,
            @JsonProperty("agents") List<Map<String, Object>> agents,
            @JsonProperty("min_playout_delay") @JsonAlias("minPlayoutDelay") Integer minPlayoutDelay,
            @JsonProperty("max_playout_delay") @JsonAlias("maxPlayoutDelay") Integer maxPlayoutDelay,
            @JsonProperty("sync_streams") @JsonAlias("syncStreams") Boolean syncStreams) {
    }
}
