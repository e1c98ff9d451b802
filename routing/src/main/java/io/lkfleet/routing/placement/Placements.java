package io.lkfleet.routing.placement;

import io.lkfleet.routing.config.RoutingConfig;

/** The configured placement policy for a room of a given declared size. */
public final class Placements {
    private final RoutingConfig config;
    private final PlacementPolicy small;
    private final PlacementPolicy big;

    public Placements(RoutingConfig config) {
        this.config = config;
        this.small = of(config.smallRoomPlacement());
        this.big = of(config.bigRoomPlacement());
    }

    /** {@code expectedParticipants} is 0 when the room's size was not declared. */
    public PlacementPolicy forRoom(int expectedParticipants) {
        return expectedParticipants >= config.bigRoomParticipants() ? big : small;
    }

    static PlacementPolicy of(RoutingConfig.PlacementKind kind) {
        return switch (kind) {
            case SPREAD -> new SpreadPlacement();
            case BEST_FIT -> new BestFitPlacement();
        };
    }
}
