package io.lkfleet.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.RtcParticipants;
import io.lkfleet.local.testing.TestFleet;
import io.livekit.server.AccessToken;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Real livekit-server nodes post real webhooks, caused by real WebRTC participants (rtc-node): the
 * topic must hold exactly the room's lifecycle, once each, in one partition, in LiveKit's order.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class LiveKitWebhooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PUBLISHERS = 2;
    private static final int SUBSCRIBERS = 2;
    private static final String REGION = "eu-west";

    @Test
    void roomOfRealParticipantsLandsExactlyOnceInOnePartitionInOrder() {
        FleetLayout.Region region = TestFleet.get().layout().regions().get(REGION);
        String room = "wh-" + UUID.randomUUID().toString().substring(0, 8);
        List<RtcParticipants.Spec> specs = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            specs.add(new RtcParticipants.Spec("pub-" + i, region.livekitUrl(), join(region, room, "pub-" + i),
                    List.of("audio", "video"), true));
        }
        for (int i = 0; i < SUBSCRIBERS; i++) {
            specs.add(new RtcParticipants.Spec("sub-" + i, region.livekitUrl(), join(region, room, "sub-" + i), List.of(), true));
        }
        String key = REGION + "/" + room;
        try (WebhookTopic topic = new WebhookTopic()) {
            try (RtcParticipants rtc = RtcParticipants.join(specs, Duration.ofSeconds(30))) {
                assertEquals(List.of(), rtc.failed(), "participants failed to join");
                // track_published fires on the first media packet: wait for it before anyone leaves.
                topic.until(r -> count(r, key, "track_published") == 2 * PUBLISHERS, Duration.ofSeconds(30));
                rtc.leave();
            }
            topic.until(r -> count(r, key, "room_finished") == 1, Duration.ofSeconds(30));
            List<ConsumerRecord<String, byte[]>> all = topic.toEnd();
            List<ConsumerRecord<String, byte[]>> events = all.stream()
                    .filter(r -> key.equals(r.key()) || new String(r.value()).contains("\"" + room + "\""))
                    .sorted(Comparator.comparingLong(ConsumerRecord::offset)).toList();

            Map<String, Long> byType = new TreeMap<>(events.stream()
                    .collect(Collectors.groupingBy(r -> WebhookTopic.headers(r).eventType(), Collectors.counting())));
            int participants = PUBLISHERS + SUBSCRIBERS;
            assertEquals(Map.of("room_started", 1L, "participant_joined", (long) participants,
                    "track_published", 2L * PUBLISHERS, "track_unpublished", 2L * PUBLISHERS,
                    "participant_left", (long) participants, "room_finished", 1L), byType);
            assertEquals(events.size(), events.stream().map(WebhookTopic::eventId).distinct().count(), "duplicate event ids");
            assertTrue(events.stream().allMatch(r -> key.equals(r.key())), "a record of the room has another key");
            assertEquals(1, events.stream().map(ConsumerRecord::partition).distinct().count(), "room spread over partitions");
            assertTrue(events.stream().allMatch(r -> REGION.equals(WebhookTopic.headers(r).region())));
            assertInLiveKitOrder(events.stream().map(r -> parse(r.value())).toList());
        }
    }

    /** room_started first, room_finished last; per participant sid: joined, its tracks, left. */
    private static void assertInLiveKitOrder(List<JsonNode> events) {
        assertEquals("room_started", events.get(0).path("event").asText());
        assertEquals("room_finished", events.get(events.size() - 1).path("event").asText());
        Map<String, List<String>> perParticipant = new TreeMap<>();
        for (JsonNode e : events) {
            String sid = e.path("participant").path("sid").asText();
            if (!sid.isEmpty()) {
                perParticipant.computeIfAbsent(sid, s -> new ArrayList<>()).add(e.path("event").asText());
            }
        }
        Set<List<String>> allowed = Set.of(
                List.of("participant_joined", "participant_left"),
                List.of("participant_joined", "track_published", "track_published", "track_unpublished", "track_unpublished",
                        "participant_left"));
        perParticipant.forEach((sid, sequence) -> assertTrue(allowed.contains(sequence), sid + " saw " + sequence));
    }

    private static String join(FleetLayout.Region region, String room, String identity) {
        AccessToken token = new AccessToken(region.apiKey(), region.apiSecret());
        token.setIdentity(identity);
        token.addGrants(new RoomJoin(true), new RoomName(room));
        return token.toJwt();
    }

    private static long count(List<ConsumerRecord<String, byte[]>> records, String key, String type) {
        return records.stream().filter(r -> key.equals(r.key()) && type.equals(WebhookTopic.headers(r).eventType())).count();
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
