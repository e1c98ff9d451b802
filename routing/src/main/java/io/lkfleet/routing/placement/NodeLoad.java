package io.lkfleet.routing.placement;

/** A candidate node and its load right now (model + reservations), for ordering only. */
public record NodeLoad(String nodeId, long subscriptions, long limitSubscriptions) {
    public long free() {
        return limitSubscriptions - subscriptions;
    }
}
