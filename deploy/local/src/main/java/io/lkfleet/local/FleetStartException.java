package io.lkfleet.local;

/** The local fleet cannot start; the message names the problem and what to do about it. */
public class FleetStartException extends RuntimeException {
    public FleetStartException(String message) {
        super(message);
    }

    public FleetStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
