package io.lkfleet.common.contract;

import java.nio.charset.StandardCharsets;

/**
 * lkfleet's Redis layout (design §3). Every key lives under {@code fleet:} and carries the region
 * as a {@code {hash tag}}, so all keys of one region share a Redis Cluster slot and one Lua script
 * can read and write a region's rooms, nodes and totals atomically (the router's admission reads
 * {@link #node} and {@link #room} in the same script that reserves). LiveKit's own keys
 * ({@code nodes}, {@code room_node_map}) live in each region's own Redis and are never written.
 *
 * <p>Written by capacity-service (a materialised view of the webhook stream plus LiveKit's node
 * registry; wiping a region's keys and replaying the topic rebuilds them):
 * <ul>
 * <li>{@link #room} hash: {@code sid}, {@code since} (epoch s of the session's first event),
 *     {@code node}, {@code lost} (1 once its node went away), {@code finished} (1 after
 *     {@code room_finished}), {@code participants}, {@code publishers}, {@code subscribers},
 *     {@code video_tracks}, {@code audio_tracks}, {@code screen_tracks}, {@code video_subs},
 *     {@code audio_subs}, {@code screen_subs}, {@code subscriptions}, {@code egress_kbps},
 *     {@code egress_active}.</li>
 * <li>{@link #roomParticipants} hash: participant sid → {@code J} (active) or {@code L} (left;
 *     kept so a late {@code participant_joined} cannot resurrect it).</li>
 * <li>{@link #roomTracks} hash: track sid → {@code <participant sid>|video|audio|screen}, or
 *     {@code U} once unpublished (kept for the same reason).</li>
 * <li>{@link #roomEgress} hash: egress id → {@code A} (active) or {@code E} (ended).</li>
 * <li>{@link #node} hash: model load {@code rooms}, {@code participants}, {@code subscriptions},
 *     {@code egress_kbps}; liveness {@code state} ({@code SERVING}, {@code SHUTTING_DOWN},
 *     {@code GONE}); LiveKit's measured {@code m_*} fields ({@code m_num_rooms},
 *     {@code m_num_clients}, {@code m_tracks_in}, {@code m_tracks_out}, {@code m_cpu_load},
 *     {@code m_updated_at}).</li>
 * <li>{@link #nodeRooms} set: rooms whose load is counted on the node.</li>
 * <li>{@link #nodes} set and {@link #rooms} set: indexes of a region's nodes and rooms.</li>
 * <li>{@link #totals} hash: the region's {@code rooms}, {@code participants}, {@code subscriptions},
 *     {@code egress_kbps}.</li>
 * <li>{@link #appliedEvents} sorted set: webhook event ids already applied (score = event
 *     {@code createdAt}), the idempotency record; trimmed by age.</li>
 * <li>{@link #model} string, the region's one rebuild claim: {@code rebuilding <epoch ms> <id>}
 *     while a rebuild holds it, {@code rebuilt <epoch ms>} once the model is whole; its absence tells
 *     capacity-service that Redis lost the region's model (a restart without persistence, a flush)
 *     and must rebuild it.</li>
 * <li>{@link #snapshot} hash: where the event stream resumes after the last rebuild.</li>
 * </ul>
 * Counters are integers ({@code HINCRBY}); bandwidth is kbit/s.
 *
 * <p>Room names and node ids are {@linkplain #encode encoded} wherever they become part of a key, so
 * every key has the structure {@code fleet:{region}:<kind>[:<name>[:<part>]]} whatever the name
 * holds ({@code :}, braces, {@code |}, {@code %}, unicode): no room can reach another room's key
 * or an internal one. Members of the sets above are the names themselves, unencoded. Lua scripts
 * build the same keys with {@code redis_keys.lua}, the one twin of {@link #encode}, which
 * {@link io.lkfleet.common.redis.LuaScript} puts in front of every script.
 */
public final class RedisKeys {
    /** Prefix of every lkfleet key. */
    public static final String PREFIX = "fleet:";

    private RedisKeys() {
    }

    /** {@code fleet:{region}:}: the prefix of all keys of one region (one Cluster slot). */
    public static String region(String region) {
        return PREFIX + "{" + region + "}:";
    }

    /** A {@code SCAN MATCH}/{@code KEYS} pattern matching every key of one region (braces escaped). */
    public static String regionPattern(String region) {
        return region(region).replace("{", "\\{").replace("}", "\\}") + "*";
    }

    /**
     * A name as it appears in a key: its UTF-8 bytes, each byte outside {@code [A-Za-z0-9._-]} written
     * as {@code %XX} (upper-case hex). Injective, and the result holds no {@code :}, braces or glob
     * characters, so a key's parts are found by splitting on {@code :}.
     */
    public static String encode(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder encoded = null;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (safe(b)) {
                if (encoded != null) {
                    encoded.append((char) b);
                }
                continue;
            }
            if (encoded == null) {
                encoded = new StringBuilder(bytes.length + 16).append(name, 0, i);
            }
            encoded.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
        }
        return encoded == null ? name : encoded.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean safe(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '_'
                || b == '-';
    }

    /** {@code fleet:{region}:room:<room>}: one room's shape and load. */
    public static String room(String region, String room) {
        return region(region) + ROOM + encode(room);
    }

    /** {@code fleet:{region}:room:<room>:participants}: participant states by sid. */
    public static String roomParticipants(String region, String room) {
        return room(region, room) + ":participants";
    }

    /** {@code fleet:{region}:room:<room>:tracks}: track states by track sid. */
    public static String roomTracks(String region, String room) {
        return room(region, room) + ":tracks";
    }

    /** {@code fleet:{region}:room:<room>:published}: live tracks by {@code <participant sid>|<kind>}, kept by apply_event.lua. */
    public static String roomPublished(String region, String room) {
        return room(region, room) + ":published";
    }

    /** {@code fleet:{region}:room:<room>:egress}: egress states by egress id. */
    public static String roomEgress(String region, String room) {
        return room(region, room) + ":egress";
    }

    /** {@code fleet:{region}:rooms}: names of the region's known rooms. */
    public static String rooms(String region) {
        return region(region) + "rooms";
    }

    /** {@code fleet:{region}:node:<nodeId>}: one SFU node's model and measured load. */
    public static String node(String region, String nodeId) {
        return region(region) + NODE + encode(nodeId);
    }

    /** {@code fleet:{region}:node:<nodeId>:rooms}: rooms counted on the node. */
    public static String nodeRooms(String region, String nodeId) {
        return node(region, nodeId) + ":rooms";
    }

    /** {@code fleet:{region}:nodes}: ids of the region's known nodes. */
    public static String nodes(String region) {
        return region(region) + "nodes";
    }

    /** {@code fleet:{region}:totals}: the region's load. */
    public static String totals(String region) {
        return region(region) + "totals";
    }

    /** Kinds of per-room and per-node keys: {@code fleet:{region}:room:<encoded room>}, {@code ...:node:<encoded id>}. */
    public static final String ROOM = "room:";
    public static final String NODE = "node:";

    /** Kind of region-router's per-tenant keys: {@code fleet:{region}:tenant:<encoded tenant>:reservations}. */
    public static final String TENANT = "tenant:";

    /** Suffix of region-router's reservation zsets beside a node or room key. */
    public static final String RESERVATIONS = ":reservations";

    /** Suffix of the sums region-router keeps over those zsets. */
    public static final String RESERVED = ":reserved";

    /** Region-router's own keys under a region prefix: room pins ({@code pin:<encoded room>}), drained nodes, booked nodes. */
    public static final String PIN = "pin:";
    public static final String DRAINING = "draining";
    public static final String SCHEDULED = "scheduled";

    /**
     * True for keys region-router owns in a region's slot (reservations, pins, drains, bookings): its
     * decisions, not part of the materialised view, so a rebuild of the view must leave them alone.
     * Decided on the key's structure ({@code fleet:{region}:<kind>[:<encoded name>[:<part>]]}), which
     * no room name can imitate since names are encoded.
     */
    public static boolean ownedByRouter(String key) {
        int tag = key.indexOf("}:");
        if (!key.startsWith(PREFIX + "{") || tag < 0) {
            return false;
        }
        String[] parts = key.substring(tag + 2).split(":", -1);
        return switch (parts.length) {
            case 1 -> parts[0].equals(DRAINING) || parts[0].equals(SCHEDULED);
            case 2 -> (parts[0] + ":").equals(PIN);
            case 3 -> ((parts[0] + ":").equals(ROOM) || (parts[0] + ":").equals(NODE))
                    && (RESERVATIONS.equals(":" + parts[2]) || RESERVED.equals(":" + parts[2]))
                    || (parts[0] + ":").equals(TENANT) && RESERVATIONS.equals(":" + parts[2]);
            default -> false;
        };
    }

    /** Prefixes of {@link #model}'s value (see above); region-router's admit.lua admits only on the latter. */
    public static final String MODEL_REBUILDING = "rebuilding ";
    public static final String MODEL_REBUILT = "rebuilt ";

    /** {@code fleet:{region}:model}: the region's model is (being) rebuilt from the whole topic. */
    public static String model(String region) {
        return region(region) + "model";
    }

    /**
     * {@code fleet:{region}:snapshot}: hash partition of {@code livekit.webhooks} → the first offset
     * the model does not hold yet, written with the model a rebuild took from LiveKit's present state;
     * an event below it is already in the model and is skipped.
     */
    public static String snapshot(String region) {
        return region(region) + "snapshot";
    }

    /** {@code fleet:{region}:applied}: ids of applied webhook events (idempotency). */
    public static String appliedEvents(String region) {
        return region(region) + "applied";
    }
}
