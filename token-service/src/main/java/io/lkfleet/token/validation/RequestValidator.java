package io.lkfleet.token.validation;

import io.lkfleet.token.TokenRequest;
import io.lkfleet.token.rest.Problem;
import io.lkfleet.token.tenant.Caller;
import io.lkfleet.token.tenant.Grant;
import io.lkfleet.token.tenant.Tenant;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a token request against LiveKit's limits and the tenant's policy before anything is routed
 * or signed. Names are plain ASCII on purpose: no path separators, no look-alike Unicode, so a room
 * name cannot escape its tenant's namespace.
 */
public final class RequestValidator {
    static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}");
    static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    static final int MAX_NAME_CHARS = 128;
    static final int MAX_METADATA_BYTES = 16 * 1024;
    static final int MAX_ATTRIBUTES = 32;
    static final int MAX_ATTRIBUTE_VALUE_BYTES = 1024;
    static final int MAX_RTT_MS = 10_000;
    static final int MAX_EXPECTED_PARTICIPANTS = 100_000;

    private RequestValidator() {
    }

    /** Throws the {@link Problem} for the first thing wrong with the request. */
    public static void validate(TokenRequest request, String identity, Caller caller, Set<String> knownRegions) {
        Tenant tenant = caller.tenant();
        requireMatch("room_name", request.roomName(), ROOM_NAME,
                "1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit");
        requireMatch("participant_identity", identity, IDENTITY,
                "1-128 characters of A-Z a-z 0-9 . _ @ : + -, starting with a letter or digit");
        if (!request.roomName().startsWith(tenant.namespace())) {
            throw new Problem(Response.Status.FORBIDDEN, "forbidden-namespace",
                    "room names of this tenant must start with '" + tenant.namespace() + "'");
        }
        if (caller.allowedRooms().isPresent() && !caller.allowedRooms().get().contains(request.roomName())) {
            throw new Problem(Response.Status.FORBIDDEN, "forbidden-room",
                    "the user JWT does not name this room; it may join only the rooms its issuer named");
        }
        if (request.participantName() != null && (request.participantName().codePointCount(0,
                request.participantName().length()) > MAX_NAME_CHARS || hasControlCharacters(request.participantName()))) {
            throw Problem.invalidField("participant_name", "at most 128 characters, no control characters");
        }
        if (request.participantMetadata() != null && utf8Length(request.participantMetadata()) > MAX_METADATA_BYTES) {
            throw Problem.invalidField("participant_metadata", "at most " + MAX_METADATA_BYTES + " bytes");
        }
        validateAttributes(request.participantAttributes());
        validateRoomConfig(request.roomConfig(), request.roomName());
        validateRtts(request.regionRttMs(), knownRegions);
        if (request.ttlSeconds() != null && (request.ttlSeconds() < 60
                || Duration.ofSeconds(request.ttlSeconds()).compareTo(tenant.maxTtl()) > 0)) {
            throw Problem.invalidField("ttl_seconds", "between 60 and " + tenant.maxTtl().toSeconds() + " seconds");
        }
        if (request.expectedParticipants() != null && (request.expectedParticipants() < 1
                || request.expectedParticipants() > MAX_EXPECTED_PARTICIPANTS)) {
            throw Problem.invalidField("expected_participants", "between 1 and " + MAX_EXPECTED_PARTICIPANTS);
        }
        if (request.expectedPublishers() != null && (request.expectedParticipants() == null
                || request.expectedPublishers() < 0 || request.expectedPublishers() > request.expectedParticipants())) {
            throw Problem.invalidField("expected_publishers", "between 0 and expected_participants, which it needs");
        }
    }

    /**
     * The grants the token will carry: those asked for (by default the tenant's defaults), all within
     * what this caller may ask for. A user JWT that sets up the room ({@code room_config}) administers
     * it, so that needs {@code room-admin} in its allowance too.
     */
    public static Set<Grant> grants(TokenRequest request, Caller caller) {
        if (caller.vouchedIdentity().isPresent() && administersRoom(request.roomConfig())
                && !caller.allowedGrants().contains(Grant.ROOM_ADMIN)) {
            throw new Problem(Response.Status.FORBIDDEN, "forbidden-room-config",
                    "a user JWT may not configure the room; its backend or a room-admin claim may");
        }
        if (request.grants() == null) {
            return caller.tenant().defaultGrants();
        }
        Set<Grant> asked = EnumSet.noneOf(Grant.class);
        for (String name : request.grants()) {
            asked.add(Grant.of(name).orElseThrow(() -> Problem.invalidField("grants", "unknown grant '"
                    + printable(name) + "'; known: publish, subscribe, publish-data, hidden, recorder, room-admin")));
        }
        Set<Grant> beyondTenant = EnumSet.copyOf(asked);
        beyondTenant.removeAll(caller.tenant().grants());
        if (!beyondTenant.isEmpty()) {
            throw new Problem(Response.Status.FORBIDDEN, "forbidden-grant",
                    "this tenant may not hand out " + keys(beyondTenant));
        }
        Set<Grant> beyondCaller = EnumSet.copyOf(asked);
        beyondCaller.removeAll(caller.allowedGrants());
        if (!beyondCaller.isEmpty()) {
            throw new Problem(Response.Status.FORBIDDEN, "forbidden-grant", "a user JWT may not ask for "
                    + keys(beyondCaller) + ": only the tenant's backend or a claim the tenant allows confers them");
        }
        return Set.copyOf(asked);
    }

    private static List<String> keys(Set<Grant> grants) {
        return grants.stream().map(Grant::key).sorted().toList();
    }

    /** Any room setting beyond its name (which must equal room_name anyway). */
    private static boolean administersRoom(TokenRequest.RoomConfig config) {
        return config != null && (config.emptyTimeout() != null || config.departureTimeout() != null
                || config.maxParticipants() != null || config.metadata() != null || config.minPlayoutDelay() != null
                || config.maxPlayoutDelay() != null || config.syncStreams() != null);
    }

    private static void validateAttributes(Map<String, String> attributes) {
        if (attributes == null) {
            return;
        }
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw Problem.invalidField("participant_attributes", "at most " + MAX_ATTRIBUTES + " attributes");
        }
        attributes.forEach((key, value) -> {
            if (key == null || !ATTRIBUTE_KEY.matcher(key).matches()) {
                throw Problem.invalidField("participant_attributes",
                        "attribute names are 1-64 characters of A-Z a-z 0-9 . _ : -");
            }
            if (value == null || utf8Length(value) > MAX_ATTRIBUTE_VALUE_BYTES) {
                throw Problem.invalidField("participant_attributes",
                        "attribute '" + key + "' needs a value of at most " + MAX_ATTRIBUTE_VALUE_BYTES + " bytes");
            }
        });
    }

    private static void validateRoomConfig(TokenRequest.RoomConfig config, String roomName) {
        if (config == null) {
            return;
        }
        // LiveKit's guidance: a field that must not be configurable gets a 4xx, not silence.
        if (config.egress() != null && !config.egress().isEmpty()) {
            throw Problem.invalidField("room_config", "egress cannot be requested through the token endpoint");
        }
        if (config.agents() != null && !config.agents().isEmpty()) {
            throw Problem.invalidField("room_config", "agent dispatch cannot be requested through the token endpoint");
        }
        if (config.name() != null && !config.name().isEmpty() && !config.name().equals(roomName)) {
            throw Problem.invalidField("room_config", "room_config.name must be empty or equal room_name");
        }
        if (config.maxParticipants() != null && config.maxParticipants() < 0) {
            throw Problem.invalidField("room_config", "max_participants cannot be negative");
        }
        if (config.metadata() != null && utf8Length(config.metadata()) > MAX_METADATA_BYTES) {
            throw Problem.invalidField("room_config", "metadata is at most " + MAX_METADATA_BYTES + " bytes");
        }
        for (Integer seconds : new Integer[] {config.emptyTimeout(), config.departureTimeout()}) {
            if (seconds != null && (seconds < 0 || seconds > 86_400)) {
                throw Problem.invalidField("room_config", "timeouts are between 0 and 86400 seconds");
            }
        }
    }

    private static void validateRtts(Map<String, Integer> rtts, Set<String> knownRegions) {
        if (rtts == null) {
            return;
        }
        rtts.forEach((region, ms) -> {
            if (!knownRegions.contains(region)) {
                throw Problem.invalidField("region_rtt_ms", "unknown region '" + printable(region) + "'");
            }
            if (ms == null || ms < 0 || ms > MAX_RTT_MS) {
                throw Problem.invalidField("region_rtt_ms", "RTTs are between 0 and " + MAX_RTT_MS + " ms");
            }
        });
    }

    private static void requireMatch(String field, String value, Pattern pattern, String rule) {
        if (value == null || value.isEmpty()) {
            throw Problem.invalidField(field, field + " is required");
        }
        if (!pattern.matcher(value).matches()) {
            throw Problem.invalidField(field, field + " must be " + rule);
        }
    }

    private static boolean hasControlCharacters(String value) {
        return value.codePoints().anyMatch(Character::isISOControl);
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Echoes caller input only as short printable ASCII. */
    private static String printable(String value) {
        String ascii = value == null ? "" : value.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() > 40 ? ascii.substring(0, 40) + "..." : ascii;
    }
}
