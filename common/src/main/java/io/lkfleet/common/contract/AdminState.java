package io.lkfleet.common.contract;

import java.util.Optional;

/**
 * One operator decision of region-router that must outlive lkfleet's Redis (design §2: "admin state
 * outlives an empty Redis"), as a record of the compacted topic {@link Topics#ADMIN_STATE}. The key
 * names the decision, the value is its current state; withdrawing it writes a tombstone (null value)
 * under the same key, so once compacted the topic holds exactly the decisions in force, however long
 * the fleet has run. region-router writes Redis and then this record; capacity-service reads the
 * topic when it rebuilds a region's model and puts the decisions back into region-router's keys.
 */
public sealed interface AdminState {
    String region();

    /** The record key: {@code <kind>|<region>|<subject>} (region names carry no {@code |}). */
    String key();

    /** The record value. */
    String value();

    /** An operator drains {@code nodeId}: it takes no new rooms (region-router's {@code draining} set). */
    record Drain(String region, String nodeId) implements AdminState {
        static final String KIND = "drain";

        @Override
        public String key() {
            return keyOf(KIND, region, nodeId);
        }

        @Override
        public String value() {
            return "draining";
        }
    }

    /**
     * {@code nodeId} is booked for the big room {@code room} until {@code untilEpochMs}
     * (region-router's {@code scheduled} hash: node id → {@link #scheduledEntry()}).
     */
    record Booking(String region, String room, String nodeId, int participants, long untilEpochMs)
            implements AdminState {
        static final String KIND = "booking";

        /** The key of {@code room}'s booking in {@code region}, e.g. for its tombstone. */
        public static String key(String region, String room) {
            return keyOf(KIND, region, room);
        }

        @Override
        public String key() {
            return key(region, room);
        }

        /** {@code <node>|<participants>|<until epoch ms>} (node ids carry no {@code |}). */
        @Override
        public String value() {
            return nodeId + "|" + participants + "|" + untilEpochMs;
        }

        /** The booking as region-router's {@code scheduled} hash holds it under {@link #nodeId}. */
        public String scheduledEntry() {
            return room + "|" + participants + "|" + untilEpochMs;
        }
    }

    /**
     * The decision a record states, or empty for a tombstone (the decision was withdrawn).
     *
     * @throws IllegalArgumentException for a key or value this contract does not know
     */
    static Optional<AdminState> parse(String key, String value) {
        String[] k = key.split("\\|", 3);
        if (k.length != 3 || !(Drain.KIND.equals(k[0]) || Booking.KIND.equals(k[0]))) {
            throw new IllegalArgumentException("not an admin-state key: " + key);
        }
        if (value == null) {
            return Optional.empty();
        }
        if (Drain.KIND.equals(k[0])) {
            return Optional.of(new Drain(k[1], k[2]));
        }
        String[] v = value.split("\\|", 3);
        try {
            return Optional.of(new Booking(k[1], k[2], v[0], Integer.parseInt(v[1]), Long.parseLong(v[2])));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a booking: " + value, e);
        }
    }

    /** The region of a record's key, tombstones included. */
    static String regionOf(String key) {
        String[] k = key.split("\\|", 3);
        return k.length == 3 ? k[1] : "";
    }

    private static String keyOf(String kind, String region, String subject) {
        return kind + "|" + region + "|" + subject;
    }
}
