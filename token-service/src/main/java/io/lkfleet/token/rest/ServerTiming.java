package io.lkfleet.token.rest;

/**
 * The {@code Server-Timing} header of an issued token (W3C Server Timing): how long routing took
 * ({@code route}, described {@code pinned} or {@code new-room}) and the whole request in this
 * process ({@code total}, from the resource's first line to the signed token), in milliseconds. A
 * client's own figure minus {@code total} is its network and scheduling, not lkfleet's (issue 15.2:
 * the join phase of {@code bench/run} reports both). Formatted by hand: {@code String.format} would
 * cost more than the rest of the header.
 */
final class ServerTiming {
    static final String HEADER = "Server-Timing";

    private ServerTiming() {
    }

    static String of(long routeNanos, boolean newRoom, long totalNanos) {
        StringBuilder header = new StringBuilder(64).append("route;dur=");
        millis(header, routeNanos).append(newRoom ? ";desc=\"new-room\", total;dur=" : ";desc=\"pinned\", total;dur=");
        return millis(header, totalNanos).toString();
    }

    /** {@code nanos} as milliseconds with three decimals (microseconds). */
    private static StringBuilder millis(StringBuilder to, long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        to.append(micros / 1_000).append('.');
        if (fraction < 100) {
            to.append(fraction < 10 ? "00" : "0");
        }
        return to.append(fraction);
    }
}
