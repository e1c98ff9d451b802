package io.lkfleet.routing.admission;

import io.lkfleet.common.contract.RedisKeys;

/**
 * Keys the router owns, beside capacity-service's materialised view ({@link RedisKeys}). They sit
 * in the region's hash-tag slot so the admission script reads both atomically; a rebuild of the
 * view never touches them. Room names and node ids are encoded as {@link RedisKeys#encode} does.
 */
public final class RouterKeys {
    private RouterKeys() {
    }

    /** zset of live reservations on a node: member {@code id|subs|kbps}, score = expiry (ms). */
    public static String nodeReservations(String region, String nodeId) {
        return RedisKeys.node(region, nodeId) + RedisKeys.RESERVATIONS;
    }

    /** hash of the sums over {@link #nodeReservations}: {@code subs}, {@code kbps}. */
    public static String nodeReserved(String region, String nodeId) {
        return RedisKeys.node(region, nodeId) + RedisKeys.RESERVED;
    }

    /**
     * hash of the counts over {@link #roomReservations}: {@code participants}, {@code publishers}; and
     * one seat per identity, {@code seat:<identity>} = {@code <length of tenant>:<tenant><room member>}.
     */
    public static String roomReserved(String region, String room) {
        return RedisKeys.room(region, room) + RedisKeys.RESERVED;
    }

    /**
     * zset of live reservations in a room: member {@code id|identity|P or S|subs|kbps|node}, score =
     * expiry (ms); at most one per identity, named by {@link #roomReserved}'s {@code seat:<identity>}.
     * capacity-service removes an entry (its node twin, seat and tenant count) when that identity joins.
     */
    public static String roomReservations(String region, String room) {
        return RedisKeys.room(region, room) + RedisKeys.RESERVATIONS;
    }

    /**
     * zset of a tenant's live reservations in a region ({@code fleet:{region}:tenant:<encoded tenant>:reservations}):
     * member reservation id, score = expiry (ms); what {@code routing.max-reservations-per-tenant} caps.
     */
    public static String tenantReservations(String region, String tenant) {
        return RedisKeys.region(region) + RedisKeys.TENANT + RedisKeys.encode(tenant) + RedisKeys.RESERVATIONS;
    }

    /** The node the router pinned {@code room} to ({@code fleet:{region}:pin:<encoded room>}). */
    public static String pin(String region, String room) {
        return RedisKeys.region(region) + RedisKeys.PIN + RedisKeys.encode(room);
    }

    /** Set of node ids an operator is draining: no new rooms, existing rooms stay. */
    public static String draining(String region) {
        return RedisKeys.region(region) + RedisKeys.DRAINING;
    }

    /**
     * The region a room was first admitted in (one key per room, outside any region slot): claimed
     * with SET NX before any region-level admission, so two first joins cannot pin one room in two regions.
     */
    public static String roomRegion(String room) {
        return RedisKeys.PREFIX + "room-region:" + RedisKeys.encode(room);
    }

    /** Hash of scheduled big rooms of a region: node id → {@code room|participants|until epoch ms}. */
    public static String scheduled(String region) {
        return RedisKeys.region(region) + RedisKeys.SCHEDULED;
    }
}
