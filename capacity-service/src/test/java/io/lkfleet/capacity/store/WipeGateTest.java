package io.lkfleet.capacity.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A wipe waits for the writes in flight and refuses new ones, per region. */
class WipeGateTest {
    private final WipeGate gate = new WipeGate();

    @Test
    void aClosedRegionRefusesWritesOthersDoNot() {
        gate.close("eu-west", Duration.ofSeconds(1));
        assertThrows(WipeGate.Closed.class, () -> gate.enter("eu-west"));
        assertDoesNotThrow(() -> gate.enter("eu-central"));
        gate.open("eu-west");
        assertDoesNotThrow(() -> gate.enter("eu-west"));
    }

    @Test
    void closingWaitsForTheWriteInFlight() throws Exception {
        gate.enter("eu-west");
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> gate.close("eu-west", Duration.ofSeconds(10)));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(200, TimeUnit.MILLISECONDS));
        gate.exit("eu-west");
        closing.get(5, TimeUnit.SECONDS);
        assertTrue(closing.isDone());
    }

    @Test
    void aWriteThatNeverEndsFailsTheWipeAndReopens() {
        gate.enter("eu-west");
        assertThrows(IllegalStateException.class, () -> gate.close("eu-west", Duration.ofMillis(100)));
        assertDoesNotThrow(() -> gate.enter("eu-west"), "the region is open again");
    }
}
