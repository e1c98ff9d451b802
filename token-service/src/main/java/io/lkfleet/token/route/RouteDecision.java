package io.lkfleet.token.route;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** region-router's answer for an admitted join. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RouteDecision(
        @JsonProperty("region") String region,
        @JsonProperty("livekit_url") String livekitUrl,
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("reservation_id") String reservationId,
        /** What fits on the node: becomes the room configuration's max_participants. */
        @JsonProperty("max_participants") int maxParticipants) {
}
