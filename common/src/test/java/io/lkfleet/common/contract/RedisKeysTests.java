package io.lkfleet.common.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedisKeysTests {

    @Test
    void everyKeyOfARegionSharesItsHashTag() {
        List<String> keys = List.of(RedisKeys.room("eu-west", "r1"), RedisKeys.roomParticipants("eu-west", "r1"),
                RedisKeys.roomTracks("eu-west", "r1"), RedisKeys.roomEgress("eu-west", "r1"),
                RedisKeys.rooms("eu-west"), RedisKeys.node("eu-west", "ND_x"), RedisKeys.nodeRooms("eu-west", "ND_x"),
                RedisKeys.nodes("eu-west"), RedisKeys.totals("eu-west"), RedisKeys.appliedEvents("eu-west"));
        for (String key : keys) {
            assertTrue(key.startsWith("fleet:{eu-west}:"), key);
            // Redis Cluster hashes only the first {...}: a room named "{x}" must not move the key's slot
            assertEquals("eu-west", key.substring(key.indexOf('{') + 1, key.indexOf('}')), key);
        }
    }

    @Test
    void roomAndNodeKeysFollowTheDocumentedLayout() {
        assertEquals("fleet:{eu-west}:room:standup", RedisKeys.room("eu-west", "standup"));
        assertEquals("fleet:{eu-west}:node:ND_abc", RedisKeys.node("eu-west", "ND_abc"));
        assertEquals("fleet:{eu-west}:room:{evil}", RedisKeys.room("eu-west", "{evil}"));
        assertEquals("fleet:\\{eu-west\\}:*", RedisKeys.regionPattern("eu-west"));
    }
}
