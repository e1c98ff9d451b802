package io.lkfleet.token.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lkfleet.common.contract.Problems;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.token.rest.Problem;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How token-service passes region-router's problem+json on: by the shared {@link Reason}, nothing guessed. */
class RouterRefusalTests {

    private static Problem refusal(int status, String type, String detail, String retryAfter) {
        return Router.refusal(status, detail == null ? Map.of("type", type) : Map.of("type", type, "detail", detail),
                retryAfter, 2);
    }

    @Test
    void everyRefusalTheRouterSendsReachesTheClientWithItsReasonStatusAndDetail() {
        for (Reason reason : Reason.values()) {
            if (reason == Reason.UNAUTHORIZED || reason == Reason.ROUTER_UNAVAILABLE) {
                continue; // not a refusal of the join (see below); token-service's own reason
            }
            Problem problem = refusal(reason.status(), reason.type(), "why " + reason.slug(), "7");
            assertEquals(reason.slug(), problem.reason(), reason.name());
            assertEquals(reason.status(), problem.status().getStatusCode(), reason.name());
            assertEquals("why " + reason.slug(), problem.getMessage(), reason.name());
            assertEquals(reason.retryable() ? Optional.of(7) : Optional.empty(), problem.retryAfterSeconds(),
                    reason.name());
        }
    }

    @Test
    void nodeFullStaysNodeFullAndIsNotTurnedIntoRoomExceedsNode() {
        Problem problem = refusal(503, Reason.NODE_FULL.type(), "room standup is pinned to node ND_a, which is full",
                "3");
        assertEquals("node-full", problem.reason());
        assertEquals(503, problem.status().getStatusCode());
        assertEquals(Optional.of(3), problem.retryAfterSeconds(), "a full node frees up: the client retries");
    }

    @Test
    void answersOutsideTheContractAreRouterUnavailableNotAGuessedReason() {
        for (Problem problem : new Problem[] {
                refusal(409, "urn:somewhere:else:room-exceeds-node", "x", null), // another scheme
                refusal(403, Problems.type("forbidden-region"), "x", null), // a slug the router never sends
                refusal(409, Reason.NO_CAPACITY.type(), "x", null), // a reason with another status than its own
                refusal(401, Reason.UNAUTHORIZED.type(), "x", null), // the router refused token-service itself
                Router.refusal(502, Map.of(), null, 2) }) { // no problem body at all
            assertEquals("router-unavailable", problem.reason());
            assertEquals(503, problem.status().getStatusCode());
            assertEquals(Optional.of(2), problem.retryAfterSeconds());
        }
    }

    @Test
    void aMissingOrUnreadableRetryAfterFallsBackToTheConfiguredOne() {
        assertEquals(Optional.of(2), refusal(503, Reason.NO_CAPACITY.type(), "full", null).retryAfterSeconds());
        assertEquals(Optional.of(2), refusal(503, Reason.NO_CAPACITY.type(), "full", "soon").retryAfterSeconds());
        assertEquals("refused by region-router", refusal(503, Reason.NO_CAPACITY.type(), null, null).getMessage());
    }
}
