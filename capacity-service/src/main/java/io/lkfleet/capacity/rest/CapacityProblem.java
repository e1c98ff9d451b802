package io.lkfleet.capacity.rest;

/** A request this service refuses, with the reason that becomes the problem's stable {@code type}. */
public class CapacityProblem extends RuntimeException {

    /** Why; {@link #type()} is part of the API and never changes for a reason. */
    public enum Reason {
        REGION_NOT_FOUND(404, "Unknown region"),
        NODE_NOT_FOUND(404, "Unknown node"),
        ROOM_NOT_FOUND(404, "Unknown room"),
        INVALID_SIZING_REQUEST(400, "Invalid sizing request");

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

        public String type() {
            return "https://lkfleet.io/problems/capacity/" + name().toLowerCase().replace('_', '-');
        }
    }

    private final Reason reason;

    public CapacityProblem(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
