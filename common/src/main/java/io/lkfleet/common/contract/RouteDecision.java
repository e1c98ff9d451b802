package io.lkfleet.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An admitted join, as region-router answers {@code POST /v1/route}: where to connect and what the
 * node will carry.
 *
 * @param maxParticipants what fits the node for this room (the room was created with it), 0 when unknown
 * @param projectedSubscriptions node load after this join, reservations included
 * @param limitSubscriptions the node's admission limit (capacity minus headroom)
 * @param latencySource which estimate ordered the regions: measured, learned, geo, configured, pinned
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RouteDecision(
        @JsonProperty("region") String region,
        @JsonProperty("livekit_url") String livekitUrl,
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("reservation_id") String reservationId,
        @JsonProperty("max_participants") int maxParticipants,
        @JsonProperty("projected_subscriptions") long projectedSubscriptions,
        @JsonProperty("projected_egress_kbps") long projectedEgressKbps,
        @JsonProperty("limit_subscriptions") long limitSubscriptions,
        @JsonProperty("new_room") boolean newRoom,
        @JsonProperty("latency_source") String latencySource) {
}
