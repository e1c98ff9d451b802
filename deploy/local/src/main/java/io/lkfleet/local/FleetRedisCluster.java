package io.lkfleet.local;

import io.lkfleet.common.contract.RedisKeys;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * lkfleet's Redis as a Redis Cluster of several masters on loopback ({@code local.fleet-redis-masters}),
 * formed as an operator would with {@code redis-cli --cluster create}, but with the slot ranges chosen
 * so that each region's hash tag ({@code fleet:{region}:...}) lands on a master of its own, as far as
 * there are masters: whatever works on it cannot rest on two regions sharing a server.
 */
final class FleetRedisCluster {
    /** Redis Cluster's hash slots. */
    static final int SLOTS = 16384;
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);
    private static final long CALL_TIMEOUT_MS = 5000;

    private FleetRedisCluster() {
    }

    /** What makes a redis-server a node of the cluster: its nodes file (in its working directory) and bus port. */
    static List<String> serverArguments(FleetLayout.RedisNode node) {
        // a short node timeout: a master that comes back after a restart is taken back quickly
        return List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port",
                Integer.toString(node.busPort()), "--cluster-node-timeout", "2000");
    }

    /**
     * Gives the started, empty servers of {@code layout} their slot ranges, lets them meet and waits
     * until every one reports the whole cluster healthy; returns the master of each region's slot.
     */
    static Map<String, FleetLayout.RedisNode> form(Vertx vertx, FleetLayout layout) {
        List<FleetLayout.RedisNode> servers = layout.fleetRedisNodes();
        List<Redis> admins = servers.stream().map(s -> Redis.createClient(vertx,
                layout.fleetRedisUri(RedisUsers.ADMIN, s))).toList();
        try {
            Map<String, Integer> slotOfRegion = new LinkedHashMap<>();
            for (String region : layout.regions().keySet()) {
                slotOfRegion.put(region, call(admins.get(0), Request.cmd(Command.CLUSTER).arg("KEYSLOT")
                        .arg(RedisKeys.model(region))).toInteger());
            }
            List<int[]> ranges = slotRanges(servers.size(), slotOfRegion.values());
            for (int i = 0; i < servers.size(); i++) {
                call(admins.get(i), Request.cmd(Command.CLUSTER).arg("ADDSLOTSRANGE").arg(ranges.get(i)[0])
                        .arg(ranges.get(i)[1]));
            }
            for (FleetLayout.RedisNode other : servers.subList(1, servers.size())) {
                call(admins.get(0), Request.cmd(Command.CLUSTER).arg("MEET").arg(FleetLayout.HOST).arg(other.port())
                        .arg(other.busPort()));
            }
            Await.until("lkfleet's Redis Cluster of " + servers.size() + " masters to agree it is whole", FORM_TIMEOUT,
                    () -> admins.stream().allMatch(admin -> healthy(admin, servers.size())));
            Map<String, FleetLayout.RedisNode> masters = new LinkedHashMap<>();
            slotOfRegion.forEach((region, slot) -> masters.put(region, servers.get(rangeOf(ranges, slot))));
            return masters;
        } finally {
            admins.forEach(Redis::close);
        }
    }

    /**
     * {@code masters} contiguous slot ranges ({@code [first, last]}, in order, covering all slots) with
     * each of the distinct {@code regionSlots} in a range of its own while there are ranges enough: a
     * range starts halfway between two neighbouring region slots, and the widest range is halved for
     * every master left over.
     */
    static List<int[]> slotRanges(int masters, Collection<Integer> regionSlots) {
        List<Integer> slots = new ArrayList<>(new TreeSet<>(regionSlots));
        TreeSet<Integer> starts = new TreeSet<>(List.of(0));
        for (int i = 1; i < slots.size() && starts.size() < masters; i++) {
            starts.add((slots.get(i - 1) + slots.get(i)) / 2 + 1);
        }
        while (starts.size() < masters) {
            int widestStart = 0;
            int widest = 0;
            for (int start : starts) {
                int width = (starts.higher(start) == null ? SLOTS : starts.higher(start)) - start;
                if (width > widest) {
                    widest = width;
                    widestStart = start;
                }
            }
            starts.add(widestStart + widest / 2);
        }
        List<int[]> ranges = new ArrayList<>();
        for (int start : starts) {
            ranges.add(new int[] {start, (starts.higher(start) == null ? SLOTS : starts.higher(start)) - 1});
        }
        return ranges;
    }

    private static int rangeOf(List<int[]> ranges, int slot) {
        for (int i = 0; i < ranges.size(); i++) {
            if (slot >= ranges.get(i)[0] && slot <= ranges.get(i)[1]) {
                return i;
            }
        }
        throw new IllegalArgumentException("slot " + slot + " is outside every range");
    }

    /** The node sees every master and every slot served. */
    private static boolean healthy(Redis admin, int masters) {
        String info = call(admin, Request.cmd(Command.CLUSTER).arg("INFO")).toString();
        return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + masters + "\r")
                && info.contains("cluster_slots_ok:" + SLOTS + "\r");
    }

    private static Response call(Redis redis, Request request) {
        try {
            return redis.send(request).toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new FleetStartException("lkfleet's Redis Cluster: " + request.command() + " failed: " + e.getMessage(), e);
        }
    }
}
