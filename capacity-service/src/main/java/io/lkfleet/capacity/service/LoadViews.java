package io.lkfleet.capacity.service;

import io.lkfleet.capacity.FleetView;
import io.lkfleet.capacity.GuardReport;
import io.lkfleet.capacity.NodeView;
import io.lkfleet.capacity.RegionView;
import io.lkfleet.capacity.RoomView;
import io.lkfleet.capacity.store.LoadStore;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.fleet.FleetConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the load model from Redis into the views the API and the gauges show. */
@ApplicationScoped
public class LoadViews {
    public static final String GONE = "GONE";

    private final LoadStore store;
    private final FleetConfig fleet;
    private final CapacityModel model;

    public LoadViews(LoadStore store, FleetConfig fleet, CapacityModel model) {
        this.store = store;
        this.fleet = fleet;
        this.model = model;
    }

    public List<String> regionNames() {
        return fleet.regions().keySet().stream().sorted().toList();
    }

    public boolean hasRegion(String region) {
        return fleet.regions().containsKey(region);
    }

    public RegionView region(String region) {
        List<NodeView> nodes = nodes(region);
        Map<String, String> totals = store.totals(region);
        List<NodeView> serving = nodes.stream().filter(n -> !GONE.equals(n.state())).toList();
        long limit = serving.stream().mapToLong(NodeView::limitSubscriptions).sum();
        long egressLimit = serving.stream().mapToLong(NodeView::limitEgressKbps).sum();
        long subscriptions = number(totals, "subscriptions");
        long egress = number(totals, "egress_kbps");
        double headroom = new NodeLimit(limit, egressLimit).headroomRatio(serving.stream()
                .mapToLong(NodeView::subscriptions).sum(), serving.stream().mapToLong(NodeView::egressKbps).sum());
        return new RegionView(region, number(totals, "rooms"), number(totals, "participants"), subscriptions, egress,
                serving.size(), nodes.size() - serving.size(), limit, headroom);
    }

    public List<NodeView> nodes(String region) {
        return store.nodes(region).stream().map(id -> node(region, id)).flatMap(Optional::stream)
                .sorted(Comparator.comparing(NodeView::id)).toList();
    }

    public Optional<NodeView> node(String region, String id) {
        Map<String, String> h = store.node(region, id);
        if (h.isEmpty()) {
            return Optional.empty();
        }
        NodeLimit limit = model.limitIn(fleet, region);
        long subscriptions = number(h, "subscriptions");
        long egress = number(h, "egress_kbps");
        NodeView.Measured measured = new NodeView.Measured(number(h, "m_num_rooms"), number(h, "m_num_clients"),
                number(h, "m_tracks_in"), number(h, "m_tracks_out"), decimal(h, "m_cpu_load"), number(h, "m_updated_at"));
        return Optional.of(new NodeView(id, region, h.getOrDefault("state", "UNKNOWN"), number(h, "rooms"),
                number(h, "participants"), subscriptions, egress, measured, limit.maxSubscriptions(),
                limit.maxEgressKbps(), limit.headroomRatio(subscriptions, egress),
                subscriptions - measured.numTracksOut()));
    }

    /** The node with this id in whichever region has it. */
    public Optional<NodeView> node(String id) {
        return regionNames().stream().map(r -> node(r, id)).flatMap(Optional::stream).findFirst();
    }

    /** The room by this name in {@code region}, or in the first region that knows it when none is given. */
    public Optional<RoomView> room(Optional<String> region, String room) {
        List<String> regions = region.map(List::of).orElseGet(this::regionNames);
        for (String r : regions) {
            Map<String, String> h = store.room(r, room);
            if (!h.isEmpty() && !"1".equals(h.get("finished"))) {
                return Optional.of(roomView(r, room, h));
            }
        }
        return Optional.empty();
    }

    private RoomView roomView(String region, String room, Map<String, String> h) {
        String nodeId = h.getOrDefault("node", "");
        RoomView.NodeSide side = nodeId.isEmpty() ? null : node(region, nodeId)
                .map(n -> new RoomView.NodeSide(n.state(), n.subscriptions(), n.measured().numTracksOut()))
                .orElse(null);
        return new RoomView(region, room, h.getOrDefault("sid", ""), nodeId, "1".equals(h.get("lost")),
                number(h, "participants"), number(h, "publishers"), number(h, "subscribers"),
                new RoomView.Kinds(number(h, "video_tracks"), number(h, "audio_tracks"), number(h, "screen_tracks")),
                new RoomView.Kinds(number(h, "video_subs"), number(h, "audio_subs"), number(h, "screen_subs")),
                number(h, "subscriptions"), number(h, "egress_kbps"), number(h, "egress_active"), side);
    }

    /** Every region with its nodes, their rooms and region-router's reservations, drains and bookings. */
    public FleetView fleet(long idleGraceSeconds) {
        long now = System.currentTimeMillis();
        List<FleetView.Region> regions = new ArrayList<>();
        for (String region : regionNames()) {
            Set<String> draining = store.draining(region);
            Map<String, String> bookings = store.bookings(region);
            List<FleetView.Node> nodes = nodes(region).stream().map(n -> new FleetView.Node(n,
                    store.reservedSubscriptions(region, n.id()), draining.contains(n.id()),
                    booking(bookings.get(n.id()), now), rooms(region, n.id()))).toList();
            regions.add(new FleetView.Region(region(region), guards(region, now / 1000, idleGraceSeconds), nodes));
        }
        return new FleetView(now, regions);
    }

    private List<FleetView.Room> rooms(String region, String nodeId) {
        List<FleetView.Room> rooms = new ArrayList<>();
        for (String room : store.nodeRooms(region, nodeId)) {
            Map<String, String> h = store.room(region, room);
            if (!h.isEmpty() && !"1".equals(h.get("finished"))) {
                rooms.add(new FleetView.Room(room, number(h, "participants"), number(h, "publishers"),
                        number(h, "subscriptions")));
            }
        }
        rooms.sort(Comparator.comparing(FleetView.Room::name));
        return rooms;
    }

    /** A booking still in force; region-router writes it as {@code room|participants|until epoch ms}. */
    private static FleetView.Booking booking(String value, long nowMillis) {
        if (value == null) {
            return null;
        }
        int last = value.lastIndexOf('|');
        int middle = value.lastIndexOf('|', last - 1);
        if (middle < 0) {
            return null;
        }
        long until = Long.parseLong(value.substring(last + 1));
        return until < nowMillis ? null : new FleetView.Booking(value.substring(0, middle),
                Long.parseLong(value.substring(middle + 1, last)), until);
    }

    /** Rooms of {@code region} the ops guards flag, as of {@code nowEpochSeconds}; idle as {@link IdleRoom} says. */
    public GuardReport guards(String region, long nowEpochSeconds, long idleGraceSeconds) {
        List<String> idle = new ArrayList<>();
        List<String> orphanEgress = new ArrayList<>();
        for (String room : store.rooms(region)) {
            Map<String, String> h = store.room(region, room);
            if (h.isEmpty() || "1".equals(h.get("finished"))) {
                continue;
            }
            if (IdleRoom.idle(h, nowEpochSeconds, idleGraceSeconds,
                    () -> store.hasLiveReservation(region, room, nowEpochSeconds * 1000))) {
                idle.add(room);
            }
            if (number(h, "egress_active") > 0 && number(h, "publishers") == 0) {
                orphanEgress.add(room);
            }
        }
        Collections.sort(idle);
        Collections.sort(orphanEgress);
        return new GuardReport(region, idle, orphanEgress);
    }

    private static long number(Map<String, String> hash, String field) {
        String v = hash.get(field);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    private static double decimal(Map<String, String> hash, String field) {
        String v = hash.get(field);
        return v == null || v.isEmpty() ? 0 : Double.parseDouble(v);
    }
}
