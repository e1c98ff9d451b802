package io.lkfleet.routing.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link RouteGate}: no more routes at once than its limit, the others in arrival order, no slot ever lost. */
class RouteGateTests {
    private final RouteGate gate = new RouteGate(2);
    /** The routes started so far, in order; each ends when its future is completed. */
    private final List<CompletableFuture<String>> started = new ArrayList<>();
    private final List<String> startOrder = new ArrayList<>();

    private Uni<String> route(String name) {
        return gate.through(() -> {
            CompletableFuture<String> end = new CompletableFuture<>();
            started.add(end);
            startOrder.add(name);
            return Uni.createFrom().completionStage(end);
        });
    }

    @Test
    void startsNoMoreThanItsLimitAndTheRestInArrivalOrder() {
        List<String> answers = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d", "e")) {
            route(name).subscribe().with(answers::add, failure -> answers.add(failure.getMessage()));
        }
        assertEquals(List.of("a", "b"), startOrder);
        assertEquals(2, gate.running());

        started.get(1).complete("b done");
        assertEquals(List.of("a", "b", "c"), startOrder);
        started.get(0).completeExceptionally(new IllegalStateException("a failed")); // a failure frees its slot too
        assertEquals(List.of("a", "b", "c", "d"), startOrder);
        started.get(2).complete("c done");
        started.get(3).complete("d done");
        started.get(4).complete("e done");

        assertEquals(List.of("b done", "a failed", "c done", "d done", "e done"), answers);
        assertEquals(0, gate.running());
    }

    @Test
    void aRouteGivenUpWhileWaitingNeverStartsAndHoldsNoSlot() {
        route("a").subscribe().with(ignored -> { });
        route("b").subscribe().with(ignored -> { });
        Cancellable waiting = route("c").subscribe().with(ignored -> { });
        route("d").subscribe().with(ignored -> { });
        waiting.cancel();

        started.get(0).complete("a done");
        assertEquals(List.of("a", "b", "d"), startOrder);
        started.get(1).complete("b done");
        started.get(2).complete("d done");
        assertEquals(0, gate.running());
    }

    @Test
    void aRouteCancelledWhileRunningGivesItsSlotOn() {
        Cancellable running = route("a").subscribe().with(ignored -> { });
        route("b").subscribe().with(ignored -> { });
        route("c").subscribe().with(ignored -> { });
        running.cancel();
        assertEquals(List.of("a", "b", "c"), startOrder);
        assertTrue(gate.running() <= 2);
    }

    @Test
    void refusesALimitBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new RouteGate(0));
    }
}
