package io.lkfleet.token.mint;

import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.Hidden;
import io.livekit.server.Recorder;
import io.livekit.server.RoomAdmin;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.token.TokenRequest;
import io.lkfleet.token.tenant.Grant;
import java.time.Duration;
import java.util.Set;
import livekit.LivekitRoom;

/** Signs LiveKit access tokens with the API key of the region the join was routed to. */
public final class TokenMinter {
    private TokenMinter() {
    }

    /** A join token for exactly one room, with only {@code grants}. */
    public static String mint(FleetConfig.Region region, TokenRequest request, String identity, Set<Grant> grants,
            Duration ttl, int maxParticipants) {
        AccessToken token = new AccessToken(region.apiKey(), region.apiSecret());
        token.setIdentity(identity);
        token.setTtl(ttl.toMillis());
        if (request.participantName() != null) {
            token.setName(request.participantName());
        }
        if (request.participantMetadata() != null) {
            token.setMetadata(request.participantMetadata());
        }
        if (request.participantAttributes() != null) {
            token.getAttributes().putAll(request.participantAttributes());
        }
        token.addGrants(new RoomJoin(true), new RoomName(request.roomName()),
                new CanPublish(grants.contains(Grant.PUBLISH)),
                new CanSubscribe(grants.contains(Grant.SUBSCRIBE)),
                new CanPublishData(grants.contains(Grant.PUBLISH_DATA)),
                new Hidden(grants.contains(Grant.HIDDEN)),
                new Recorder(grants.contains(Grant.RECORDER)),
                new RoomAdmin(grants.contains(Grant.ROOM_ADMIN)));
        token.setRoomConfiguration(roomConfiguration(request, maxParticipants));
        return token.toJwt();
    }

    /**
     * Only scalar fields: the SDK writes this claim with a reflective converter whose map output
     * LiveKit may reject. max_participants is what admission said fits, never more than asked.
     */
    private static LivekitRoom.RoomConfiguration roomConfiguration(TokenRequest request, int maxParticipants) {
        LivekitRoom.RoomConfiguration.Builder config = LivekitRoom.RoomConfiguration.newBuilder()
                .setName(request.roomName());
        int asked = request.roomConfig() == null || request.roomConfig().maxParticipants() == null ? 0
                : request.roomConfig().maxParticipants();
        int max = asked == 0 ? maxParticipants : maxParticipants == 0 ? asked : Math.min(asked, maxParticipants);
        config.setMaxParticipants(max);
        if (request.roomConfig() != null) {
            TokenRequest.RoomConfig rc = request.roomConfig();
            if (rc.emptyTimeout() != null) {
                config.setEmptyTimeout(rc.emptyTimeout());
            }
            if (rc.departureTimeout() != null) {
                config.setDepartureTimeout(rc.departureTimeout());
            }
            if (rc.metadata() != null) {
                config.setMetadata(rc.metadata());
            }
        }
        return config.build();
    }
}
