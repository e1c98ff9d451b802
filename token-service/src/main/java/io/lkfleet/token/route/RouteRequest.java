package io.lkfleet.token.route;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Set;

/** What token-service asks region-router ({@code POST /v1/route}); see region-router's README. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteRequest(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("room") String room,
        @JsonProperty("identity") String identity,
        /** publisher, subscriber or hidden: what the join will cost. */
        @JsonProperty("role") String role,
        @JsonProperty("region_rtt_ms") Map<String, Integer> regionRttMs,
        /** The client's network (IPv4 /24, IPv6 /48), for the router's learned latency estimates. */
        @JsonProperty("client_network") String clientNetwork,
        @JsonProperty("allowed_regions") Set<String> allowedRegions,
        @JsonProperty("jurisdictions") Set<String> jurisdictions,
        @JsonProperty("expected_participants") Integer expectedParticipants) {
}
