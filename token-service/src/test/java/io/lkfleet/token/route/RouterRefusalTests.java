package io.lkfleet.token.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lkfleet.common.contract.Reason;
import io.lkfleet.routing.Refusal;
import io.lkfleet.token.rest.Problem;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** How token-service answers routing's refusals: by the shared {@link Reason}, nothing guessed. */
class RouterRefusalTests {

    @Test
    void everyRefusalOfRoutingReachesTheClientWithItsReasonStatusAndDetail() {
        for (Reason reason : Reason.values()) {
            if (reason == Reason.UNAUTHORIZED) {
                continue; // region-router's API credential, not a refusal of a join
            }
            Problem problem = Router.problem(new Refusal(reason, "why " + reason.slug()), 7);
            assertEquals(reason.slug(), problem.reason(), reason.name());
            assertEquals(reason.status(), problem.status().getStatusCode(), reason.name());
            assertEquals("why " + reason.slug(), problem.getMessage(), reason.name());
            assertEquals(reason.retryable() ? Optional.of(7) : Optional.empty(), problem.retryAfterSeconds(),
                    reason.name());
        }
    }

    @Test
    void nodeFullStaysNodeFullAndIsNotTurnedIntoRoomExceedsNode() {
        Problem problem = Router.problem(new Refusal(Reason.NODE_FULL,
                "room standup is pinned to node ND_a, which is full", "eu-west", "ND_a"), 3);
        assertEquals("node-full", problem.reason());
        assertEquals(503, problem.status().getStatusCode());
        assertEquals(Optional.of(3), problem.retryAfterSeconds(), "a full node frees up: the client retries");
    }

    @Test
    void failuresOutsideTheContractAreStateUnavailableWithRetryAfterNotAGuessedReason() {
        for (Throwable failure : new Throwable[] {
                new Refusal(Response.Status.NOT_FOUND, "unknown-node", "an admin API's refusal, not a join's"),
                new Refusal(Response.Status.CONFLICT, Reason.NO_CAPACITY.slug(), "a reason with another status"),
                new TimeoutException("lkfleet's Redis did not answer"),
                new IllegalStateException("admission script answered nonsense") }) {
            Problem problem = Router.problem(failure, 2);
            assertEquals("state-unavailable", problem.reason(), failure.toString());
            assertEquals(503, problem.status().getStatusCode());
            assertEquals(Optional.of(2), problem.retryAfterSeconds());
            assertEquals("routing state cannot be read right now; retry shortly", problem.getMessage(),
                    "no internal detail reaches the client");
        }
    }
}
