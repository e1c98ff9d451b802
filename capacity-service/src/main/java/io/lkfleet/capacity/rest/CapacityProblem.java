package io.lkfleet.capacity.rest;

import io.lkfleet.capacity.service.LoadViews;

/** A request this service refuses, with the reason that becomes the problem's stable {@code type}. */
public class CapacityProblem extends RuntimeException {

    /** Why; {@link #slug()} (the problem {@code type}'s last segment) is part of the API and never changes for a reason. */
    public enum Reason {
        REGION_NOT_FOUND(404, "Unknown region"),
        NODE_NOT_FOUND(404, "Unknown node"),
        ROOM_NOT_FOUND(404, "Unknown room"),
        INVALID_SIZING_REQUEST(400, "Invalid sizing request"),
        /** Another rebuild (any instance's) holds the region's claim. */
        REBUILD_IN_PROGRESS(409, "Rebuild in progress"),
        /** The console forwarded an admin action and region-router did not answer. */
        ROUTER_UNREACHABLE(502, "region-router did not answer");

        private final int status;
        private final String title;

        Reason(int status, String title) {
            this.status = status;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String title() {
            return title;
        }

        public String slug() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final Reason reason;

    public CapacityProblem(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    /** Refuses a region the fleet does not configure. */
    public static void requireRegion(LoadViews views, String region) {
        if (!views.hasRegion(region)) {
            throw new CapacityProblem(Reason.REGION_NOT_FOUND, "no region '" + region + "' in the fleet");
        }
    }

    public Reason reason() {
        return reason;
    }
}
