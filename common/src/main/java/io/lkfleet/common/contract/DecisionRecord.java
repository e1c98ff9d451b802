package io.lkfleet.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One record of topic {@link Topics#DECISIONS} (key = room): a routing/admission decision, admitted
 * or refused. Versioned: a consumer reads every version up to {@link #VERSION} and ignores fields it
 * does not know; a field's meaning never changes within a version.
 *
 * @param version the record's schema version ({@link #VERSION} when written)
 * @param at when the decision was made, epoch ms
 * @param outcome {@code admitted} or {@code refused}
 * @param reason admitted: {@code new-room} or {@code pinned}; refused: a {@link Reason#slug}
 * @param region the region decided for, null when refused before one was chosen
 * @param node the node admitted on (or refused on), else null
 * @param tenant the tenant the join was for, when known
 * @param role {@code publisher}, {@code subscriber} or {@code hidden}
 * @param projectedSubscriptions the node's load after an admitted join (reservations included), else -1
 * @param limitSubscriptions the node's admission limit, else -1
 * @param latencySource which estimate ordered the regions (measured, learned, geo, configured, pinned)
 * @param detail a refusal's explanation, null when admitted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DecisionRecord(
        @JsonProperty("version") int version,
        @JsonProperty("at") long at,
        @JsonProperty("room") String room,
        @JsonProperty("outcome") String outcome,
        @JsonProperty("reason") String reason,
        @JsonProperty("region") String region,
        @JsonProperty("node") String node,
        @JsonProperty("tenant") String tenant,
        @JsonProperty("identity") String identity,
        @JsonProperty("role") String role,
        @JsonProperty("projected_subscriptions") long projectedSubscriptions,
        @JsonProperty("limit_subscriptions") long limitSubscriptions,
        @JsonProperty("latency_source") String latencySource,
        @JsonProperty("detail") String detail) {

    public static final int VERSION = 1;
    public static final String ADMITTED = "admitted";
    public static final String REFUSED = "refused";

    public boolean admitted() {
        return ADMITTED.equals(outcome);
    }
}
