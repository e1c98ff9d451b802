package io.lkfleet.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import livekit.LivekitInternal;
import org.junit.jupiter.api.Test;

class RegisteredNodeTests {
    private static final Duration STALE_AFTER = Duration.ofSeconds(5);

    private static RegisteredNode node(LivekitInternal.NodeState state, long updatedAt) {
        return RegisteredNode.of("eu-west", LivekitInternal.Node.newBuilder().setId("ND_a").setState(state)
                .setStats(LivekitInternal.NodeStats.newBuilder().setUpdatedAt(updatedAt).setNumRooms(3)
                        .setNumClients(7).setNumTracksIn(4).setNumTracksOut(12).setCpuLoad(0.25f))
                .build(), STALE_AFTER);
    }

    @Test
    void nodeIsAliveForLessThanTheStalenessSettingAfterItsLastUpdateLikeLiveKitsIsAvailable() {
        RegisteredNode node = node(LivekitInternal.NodeState.SERVING, 1_000);
        assertTrue(node.alive(1_000));
        assertTrue(node.alive(1_004));
        assertFalse(node.alive(1_005), "LiveKit: now - updated_at < 5 s, strictly");
        assertFalse(node.alive(2_000));
    }

    @Test
    void drainingNodeIsAliveButTakesNoNewRooms() {
        RegisteredNode draining = node(LivekitInternal.NodeState.SHUTTING_DOWN, 1_000);
        assertTrue(draining.alive(1_001), "it keeps its rooms until they end");
        assertFalse(draining.takesNewRooms(1_001));
        assertTrue(node(LivekitInternal.NodeState.SERVING, 1_000).takesNewRooms(1_001));
        assertFalse(node(LivekitInternal.NodeState.SERVING, 1_000).takesNewRooms(1_005), "a stale node takes nothing");
    }

    @Test
    void aNodeAliveWhenReadIsNotGoneBecauseTheNextReadIsLateButForAtMostOneMoreWindow() {
        RegisteredNode read = node(LivekitInternal.NodeState.SERVING, 1_000).asReadAt(1_003);
        assertTrue(read.alive(1_005), "alive at the read: a late next read does not make it look gone");
        assertTrue(read.alive(1_009));
        assertFalse(read.alive(1_010), "with no read for two windows after its last update, it is gone");
        assertTrue(read.takesNewRooms(1_006));
        assertEquals(1_000, read.updatedAtSeconds());
    }

    @Test
    void aNodeStaleWhenReadIsGoneAtOnce() {
        RegisteredNode read = node(LivekitInternal.NodeState.SERVING, 1_000).asReadAt(1_005);
        assertFalse(read.alive(1_005), "LiveKit's rule at the read: it stopped reporting");
        assertFalse(read.takesNewRooms(1_005));
    }

    @Test
    void measuredLoadIsCopiedFromLiveKitsStats() {
        RegisteredNode node = node(LivekitInternal.NodeState.SERVING, 1_000);
        assertEquals("ND_a", node.id());
        assertEquals("eu-west", node.region());
        assertEquals(3, node.numRooms());
        assertEquals(7, node.numClients());
        assertEquals(4, node.tracksIn());
        assertEquals(12, node.tracksOut());
        assertEquals(0.25f, node.cpuLoad());
    }
}
