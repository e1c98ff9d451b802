package io.lkfleet.e2e;

import io.lkfleet.local.LocalFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the end-to-end tests that route joins: they share {@link E2eFleet}'s small nodes, so each
 * test starts, and each class ends, with an idle fleet (one leftover call would fill a node).
 */
abstract class FleetTest {
    static LocalFleet fleet;

    @BeforeAll
    static void startFleet() {
        fleet = E2eFleet.fleet();
    }

    @BeforeEach
    void startIdle() {
        E2eFleet.awaitIdle();
    }

    @AfterAll
    static void leaveIdle() {
        E2eFleet.awaitIdle();
    }
}
