package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Any room name is safe (issue 13.1). Room names reach lkfleet's Redis keys from two doors: token
 * requests (token-service admits the tenant's namespace, {@code :} and 128 characters) and LiveKit's
 * webhooks (any name: braces, {@code |}, {@code %}, unicode, as long as LiveKit allows). Names built
 * to hit internal keys ({@code x:reserved} is where room {@code x}'s reservation sums lived) go
 * through both doors of the real fleet: no answer is a 5xx, no region total is ever negative, and
 * each region's totals are the sum of its rooms.
 */
class RoomNamesIT extends FleetTest {
    /** LiveKit's room names are bounded by its request and key sizes, not by a rule of lkfleet's: 256 bytes here. */
    private static final int LIVEKIT_NAME_BYTES = 256;
    /** token-service's room-name rule (RequestValidator.ROOM_NAME): 128 characters. */
    private static final int TOKEN_NAME_CHARS = 128;

    private final Random random = new Random(13);
    private final List<Long> negativeTotals = new ArrayList<>();

    @Test
    void namesThatImitateInternalKeysGetRoomsOfTheirOwnThroughTheTokenEndpoint() throws Exception {
        String base = "dev-colli-" + System.nanoTime();
        List<String> admitted = List.of(base, base + ":reserved", base + ":reservations", base + ":participants",
                base + ":tracks", base + ":egress", "dev-a:pin:" + base,
                base + ":" + "x".repeat(TOKEN_NAME_CHARS - base.length() - 1));
        Map<String, String> regionOf = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (String room : admitted) {
                HttpResponse<String> answer = E2eFleet.requestToken(Map.of("room_name", room,
                        "participant_identity", "viewer-" + round, "grants", List.of("subscribe")));
                assertEquals(201, answer.statusCode(), room + ": " + answer.body());
                regionOf.put(room, E2eFleet.JSON.readTree(answer.body()).path("region").asText());
                checkTotals();
            }
        }
        for (String refused : List.of("dev-{" + base + "}", "dev-" + base + "|x", "dev-" + base + "%3A",
                "dev-räum-" + base, "dev-" + "x".repeat(TOKEN_NAME_CHARS))) {
            HttpResponse<String> answer = E2eFleet.requestToken(Map.of("room_name", refused,
                    "participant_identity", "viewer", "grants", List.of("subscribe")));
            assertEquals(400, answer.statusCode(), refused + " is outside token-service's rule: " + answer.body());
        }
        // LiveKit reports each room it created (room_started): each is its own room in the model
        for (String room : admitted) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                HttpResponse<String> view = E2eFleet.get(roomUrl(room, regionOf.get(room)));
                assertEquals(200, view.statusCode(), room + ": " + view.body());
                assertEquals(room, E2eFleet.JSON.readTree(view.body()).path("room").asText());
            });
        }
        checkTotals();
        assertEquals(List.of(), negativeTotals, "no region total is ever negative");
    }

    @Test
    void anyNameLiveKitCanSendKeepsTheRegionTotalsTheSumOfTheirRooms() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        List<String> names = new ArrayList<>(List.of("colli-" + run, "colli-" + run + ":reserved",
                "colli-" + run + ":reservations", "colli-" + run + ":participants", "{" + run + "}",
                "a}:pin:" + run, run + "|x|y", run + "%", run + "%3A", run + ":room:x", "räum-" + run, "会议室-" + run,
                "🎥-" + run, run + " \"quoted\" \\ /", run + "*?[glob]"));
        names.add(run + "-" + "ü".repeat((LIVEKIT_NAME_BYTES - run.length() - 1) / 2));
        for (int i = 0; i < 16; i++) {
            names.add(randomName(run));
        }
        Map<String, Long> baseline = participantsByRegion();
        List<String> regions = new ArrayList<>(fleet.layout().regions().keySet());
        Map<String, Long> expected = new HashMap<>(baseline);
        Map<String, Integer> size = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String room = names.get(i);
            String region = regions.get(i % regions.size());
            int participants = 1 + i % 3;
            size.put(room, participants);
            expected.merge(region, (long) participants, Long::sum);
            String sid = "RM_" + run + "_" + i;
            post(region, event("room_started", room, sid, null, null));
            for (int p = 0; p < participants; p++) {
                post(region, event("participant_joined", room, sid, "PA_" + run + "_" + i + "_" + p, null));
            }
            post(region, event("track_published", room, sid, "PA_" + run + "_" + i + "_0", "TR_" + run + "_" + i));
            checkTotals();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            checkTotals();
            assertEquals(expected, participantsByRegion(), "region participants = the sum of their rooms");
        });
        for (int i = 0; i < names.size(); i++) {
            String room = names.get(i);
            JsonNode view = E2eFleet.getJson(roomUrl(room, regions.get(i % regions.size())));
            assertEquals(room, view.path("room").asText());
            assertEquals((long) size.get(room), view.path("participants").asLong(), room);
            assertEquals(size.get(room) - 1L, view.path("totalSubscriptions").asLong(), room + ": one audio track");
        }
        for (int i = 0; i < names.size(); i++) {
            post(regions.get(i % regions.size()), event("room_finished", names.get(i), "RM_" + run + "_" + i, null,
                    null));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            checkTotals();
            assertEquals(baseline, participantsByRegion(), "finished rooms leave the totals");
        });
        assertEquals(List.of(), negativeTotals, "no region total is ever negative");
    }

    /** Up to 64 code points of ASCII punctuation, Latin-1, CJK and emoji, after a unique prefix. */
    private String randomName(String run) {
        StringBuilder name = new StringBuilder(run).append('-');
        int length = 1 + random.nextInt(64);
        for (int i = 0; i < length; i++) {
            name.appendCodePoint(switch (random.nextInt(4)) {
                case 0 -> 0x21 + random.nextInt(0x5e);
                case 1 -> 0xa1 + random.nextInt(0x5f);
                case 2 -> 0x4e00 + random.nextInt(0x100);
                default -> 0x1f300 + random.nextInt(0x100);
            });
        }
        return name.toString();
    }

    private static byte[] event(String type, String room, String roomSid, String participantSid, String audioTrackSid)
            throws Exception {
        return E2eFleet.webhook(type, room, roomSid, participantSid, participantSid,
                audioTrackSid == null ? null : Map.of("sid", audioTrackSid, "source", "MICROPHONE"));
    }

    /** webhook-ingest must take it (200). */
    private static void post(String region, byte[] body) throws Exception {
        HttpResponse<String> answer = E2eFleet.postWebhook(fleet, region, body);
        assertEquals(200, answer.statusCode(), new String(body, StandardCharsets.UTF_8) + ": " + answer.body());
    }

    private static String roomUrl(String room, String region) {
        return E2eFleet.url("capacity-service") + "/v1/rooms/"
                + URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20") + "?region=" + region;
    }

    private static Map<String, Long> participantsByRegion() throws Exception {
        Map<String, Long> participants = new HashMap<>();
        for (JsonNode region : E2eFleet.getJson(E2eFleet.url("capacity-service") + "/v1/regions")) {
            participants.put(region.path("name").asText(), region.path("participants").asLong());
        }
        return participants;
    }

    /** Samples every region's totals; remembers any that is negative. */
    private void checkTotals() throws Exception {
        for (JsonNode region : E2eFleet.getJson(E2eFleet.url("capacity-service") + "/v1/regions")) {
            for (String total : List.of("rooms", "participants", "subscriptions", "egressKbps")) {
                long value = region.path(total).asLong();
                if (value < 0) {
                    negativeTotals.add(value);
                }
                assertTrue(region.has(total), total);
            }
        }
    }
}
