package io.lkfleet.common.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Set;

/**
 * One join to route: the body of region-router's {@code POST /v1/route}, as token-service sends it.
 *
 * @param role {@code publisher} (camera + mic), {@code subscriber} (watch only) or {@code hidden} (costs like a subscriber)
 * @param regionRttMs the client's measured RTT per region
 * @param clientNetwork the client's network (e.g. {@code 203.0.113.0/24}) for learned latency estimates
 * @param latitude optional location hint (e.g. from a CDN header), with {@code longitude}
 * @param allowedRegions the tenant's residency policy: regions its rooms may use (empty: any)
 * @param jurisdictions jurisdiction tags a region must carry (empty: any)
 * @param expectedParticipants declared size of a new room (big rooms are placed best-fit)
 * @param expectedPublishers of those, how many publish camera + mic (default: all)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteRequest(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("room") String room,
        @JsonProperty("identity") String identity,
        @JsonProperty("role") String role,
        @JsonProperty("region_rtt_ms") Map<String, Integer> regionRttMs,
        @JsonProperty("client_network") String clientNetwork,
        @JsonProperty("latitude") Double latitude,
        @JsonProperty("longitude") Double longitude,
        @JsonProperty("allowed_regions") Set<String> allowedRegions,
        @JsonProperty("jurisdictions") Set<String> jurisdictions,
        @JsonProperty("expected_participants") Integer expectedParticipants,
        @JsonProperty("expected_publishers") Integer expectedPublishers) {

    public boolean publisher() {
        return "publisher".equals(role);
    }
}
