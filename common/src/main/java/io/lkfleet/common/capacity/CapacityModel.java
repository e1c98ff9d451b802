package io.lkfleet.common.capacity;

import io.lkfleet.common.fleet.FleetConfig;

/**
 * Prices room shapes in subscriptions and bandwidth under one set of {@link CapacityAssumptions}.
 * Pure arithmetic, no I/O: the router's admission and capacity-service's Lua script both follow it
 * (the script is handed {@link #forwardedVideoKbps()} and friends so the bitrates live in one place).
 */
public final class CapacityModel {
    private final CapacityAssumptions assumptions;
    private final SimulcastMix defaultMix;

    public CapacityModel(CapacityAssumptions assumptions) {
        this.assumptions = assumptions;
        this.defaultMix = SimulcastMix.of(assumptions.video());
    }

    public CapacityAssumptions assumptions() {
        return assumptions;
    }

    /** The cost of a room under the configured simulcast mix. */
    public RoomCost cost(RoomShape room) {
        return cost(room, defaultMix);
    }

    /**
     * The cost of a room: each published track is forwarded to every other participant, so a room
     * of N with P camera+mic publishers carries P×(N−1) video and P×(N−1) audio subscriptions.
     */
    public RoomCost cost(RoomShape room, SimulcastMix mix) {
        long others = Math.max(room.participants() - 1, 0);
        long video = room.publishers() * others;
        long audio = room.publishers() * others;
        long screen = room.screenShares() * others;
        long egress = Math.round(video * forwardedVideoKbps(mix)) + audio * assumptions.audioKbps()
                + screen * assumptions.screenShareKbps();
        long ingress = room.publishers() * (simulcastUploadKbps() + assumptions.audioKbps())
                + (long) room.screenShares() * assumptions.screenShareKbps();
        return new RoomCost(video, audio, screen, egress, ingress);
    }

    /** What one more camera+mic publisher adds to {@code room}: its own tracks to everyone, everyone's to it. */
    public RoomCost deltaOfPublisher(RoomShape room) {
        return cost(room.withPublisher()).minus(cost(room));
    }

    /** What one more watch-only participant adds to {@code room}: every published track once more. */
    public RoomCost deltaOfSubscriber(RoomShape room) {
        return cost(room.withSubscriber()).minus(cost(room));
    }

    /** The admission limit of a node with this measured capacity under the configured headroom. */
    public NodeLimit limit(int maxSubscriptions, int egressMbps) {
        return NodeLimit.of(maxSubscriptions, egressMbps, assumptions.headroom());
    }

    /** The admission limit of one node of {@code region}, from its node class (zero if the class is unknown). */
    public NodeLimit limitIn(FleetConfig fleet, String region) {
        FleetConfig.NodeClass nodeClass = fleet.nodeClasses().get(fleet.regions().get(region).nodeClass());
        return nodeClass == null ? new NodeLimit(0, 0) : limit(nodeClass.maxSubscriptions(), nodeClass.egressMbps());
    }

    /** Expected bitrate of one forwarded camera track under the configured mix, kbit/s. */
    public double forwardedVideoKbps() {
        return forwardedVideoKbps(defaultMix);
    }

    /** Expected bitrate of one forwarded camera track under {@code mix}, kbit/s. */
    public double forwardedVideoKbps(SimulcastMix mix) {
        CapacityAssumptions.Video v = assumptions.video();
        return mix.high() * v.highKbps() + mix.medium() * v.mediumKbps() + mix.low() * v.lowKbps();
    }

    /** What a simulcast camera publisher uploads: all three layers. */
    private long simulcastUploadKbps() {
        CapacityAssumptions.Video v = assumptions.video();
        return (long) v.highKbps() + v.mediumKbps() + v.lowKbps();
    }
}
