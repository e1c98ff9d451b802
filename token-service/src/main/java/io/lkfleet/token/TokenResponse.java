package io.lkfleet.token;

import com.fasterxml.jackson.annotation.JsonProperty;

/** LiveKit's standard token-endpoint response, plus the routed region and the token's expiry. */
public record TokenResponse(
        @JsonProperty("server_url") String serverUrl,
        @JsonProperty("participant_token") String participantToken,
        @JsonProperty("region") String region,
        @JsonProperty("expires_at") String expiresAt) {
}
