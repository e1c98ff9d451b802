package io.lkfleet.common.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedisKeysTests {
    /** Names that would reach other keys, or move the slot, if they went into keys as they are. */
    static final List<String> ADVERSARIAL = List.of("dev-colli", "dev-colli:reserved", "dev-colli:reservations",
            "dev-colli:participants", "{evil}", "a}:pin:b", "x|y|z", "100%", "%3A", "room:x", "draining",
            "ümlaut-räum", "会议室", "emoji-🎥", "tab\tand space", "*?[glob]", "back\\slash", "",
            "a".repeat(256));

    @Test
    void everyKeyOfARegionSharesItsHashTag() {
        for (String room : ADVERSARIAL) {
            List<String> keys = List.of(RedisKeys.room("eu-west", room), RedisKeys.roomParticipants("eu-west", room),
                    RedisKeys.roomTracks("eu-west", room), RedisKeys.roomEgress("eu-west", room),
                    RedisKeys.roomPublished("eu-west", room), RedisKeys.rooms("eu-west"), RedisKeys.node("eu-west", room), RedisKeys.nodeRooms("eu-west", room),
                    RedisKeys.nodes("eu-west"), RedisKeys.totals("eu-west"), RedisKeys.appliedEvents("eu-west"));
            for (String key : keys) {
                assertTrue(key.startsWith("fleet:{eu-west}:"), key);
                // Redis Cluster hashes only the first {...}: a room named "{x}" must not move the key's slot
                assertEquals("eu-west", key.substring(key.indexOf('{') + 1, key.indexOf('}')), key);
            }
        }
    }

    @Test
    void roomAndNodeKeysFollowTheDocumentedLayout() {
        assertEquals("fleet:{eu-west}:room:standup", RedisKeys.room("eu-west", "standup"));
        assertEquals("fleet:{eu-west}:node:ND_abc", RedisKeys.node("eu-west", "ND_abc"));
        assertEquals("fleet:{eu-west}:room:%7Bevil%7D", RedisKeys.room("eu-west", "{evil}"));
        assertEquals("fleet:{eu-west}:room:dev-colli%3Areserved", RedisKeys.room("eu-west", "dev-colli:reserved"));
        assertEquals("fleet:\\{eu-west\\}:*", RedisKeys.regionPattern("eu-west"));
    }

    @Test
    void encodesEveryByteOutsideTheSafeSetAsUpperCaseHex() {
        assertEquals("Aa0._-", RedisKeys.encode("Aa0._-"));
        assertEquals("a%3Ab%7C%25%7B%7D%20", RedisKeys.encode("a:b|%{} "));
        assertEquals("%C3%BC%F0%9F%8E%A5", RedisKeys.encode("ü🎥"));
        assertEquals("", RedisKeys.encode(""));
    }

    @Test
    void encodedNamesHoldNoKeySeparatorOrPatternCharacter() {
        Random random = new Random(13);
        for (int i = 0; i < 10_000; i++) {
            String encoded = RedisKeys.encode(randomName(random));
            assertTrue(encoded.matches("[A-Za-z0-9._%-]*"), encoded);
        }
    }

    @Test
    void distinctNamesGetDistinctKeys() {
        Random random = new Random(16);
        Map<String, String> nameOfKey = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String name = i < ADVERSARIAL.size() ? ADVERSARIAL.get(i) : randomName(random);
            String previous = nameOfKey.putIfAbsent(RedisKeys.room("r", name), name);
            assertTrue(previous == null || previous.equals(name), name + " collides with " + previous);
        }
        // the internal suffixes cannot be reached from a name either
        for (String room : ADVERSARIAL) {
            assertNotEquals(RedisKeys.roomParticipants("r", "dev-colli"), RedisKeys.room("r", room));
            assertNotEquals(RedisKeys.room("r", "dev-colli") + RedisKeys.RESERVED, RedisKeys.room("r", room));
        }
    }

    @Test
    void routerOwnedKeysAreRecognisedByStructureNotBySuffix() {
        for (String room : ADVERSARIAL) {
            assertFalse(RedisKeys.ownedByRouter(RedisKeys.room("eu-west", room)), room);
            assertFalse(RedisKeys.ownedByRouter(RedisKeys.roomParticipants("eu-west", room)), room);
            assertFalse(RedisKeys.ownedByRouter(RedisKeys.roomTracks("eu-west", room)), room);
            assertFalse(RedisKeys.ownedByRouter(RedisKeys.node("eu-west", room)), room);
            assertFalse(RedisKeys.ownedByRouter(RedisKeys.nodeRooms("eu-west", room)), room);
            assertTrue(RedisKeys.ownedByRouter(RedisKeys.room("eu-west", room) + RedisKeys.RESERVATIONS), room);
            assertTrue(RedisKeys.ownedByRouter(RedisKeys.room("eu-west", room) + RedisKeys.RESERVED), room);
            assertTrue(RedisKeys.ownedByRouter(RedisKeys.node("eu-west", room) + RedisKeys.RESERVED), room);
            assertTrue(RedisKeys.ownedByRouter(RedisKeys.region("eu-west") + RedisKeys.TENANT + RedisKeys.encode(room)
                    + RedisKeys.RESERVATIONS), room);
            assertTrue(RedisKeys.ownedByRouter(RedisKeys.region("eu-west") + RedisKeys.PIN + RedisKeys.encode(room)),
                    room);
        }
        assertTrue(RedisKeys.ownedByRouter(RedisKeys.region("eu-west") + RedisKeys.DRAINING));
        assertTrue(RedisKeys.ownedByRouter(RedisKeys.region("eu-west") + RedisKeys.SCHEDULED));
        assertFalse(RedisKeys.ownedByRouter(RedisKeys.totals("eu-west")));
        assertFalse(RedisKeys.ownedByRouter(RedisKeys.model("eu-west")));
        // a suffix match would have kept these, written before names were encoded, through a rebuild
        assertFalse(RedisKeys.ownedByRouter("fleet:{eu-west}:room:dev-colli:reserved:participants"));
        assertFalse(RedisKeys.ownedByRouter("fleet:{eu-west}:room:a:pin:b"));
    }

    /** Up to 128 code points from ASCII punctuation, Latin-1, CJK and emoji. */
    private static String randomName(Random random) {
        StringBuilder name = new StringBuilder();
        int length = random.nextInt(129);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(4);
            int codePoint = switch (kind) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> 0xa0 + random.nextInt(0x60);
                case 2 -> 0x4e00 + random.nextInt(0x100);
                default -> 0x1f300 + random.nextInt(0x100);
            };
            name.appendCodePoint(codePoint);
        }
        return name.toString();
    }
}
