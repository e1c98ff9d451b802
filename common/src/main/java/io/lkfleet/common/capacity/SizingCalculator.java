package io.lkfleet.common.capacity;

import java.util.Map;

/**
 * Answers the sizing question with expected values: a room of size n whose members publish with
 * probability s carries s·n·(n−1) video and as many audio subscriptions, so the totals are sums
 * over the room-size distribution.
 */
public final class SizingCalculator {
    private final CapacityModel model;

    public SizingCalculator(CapacityModel model) {
        this.model = model;
    }

    public SizingEstimate estimate(SizingRequest request) {
        double rooms = 0;
        double video = 0;
        for (Map.Entry<Integer, Double> size : request.roomSizes().entrySet()) {
            int n = size.getKey();
            double people = request.participants() * size.getValue();
            rooms += people / n;
            video += people * request.publishShare() * (n - 1);
        }
        double audio = video;
        double subscriptions = video + audio;
        double egressKbps = video * model.forwardedVideoKbps(request.mix()) + audio * model.assumptions().audioKbps();
        NodeLimit limit = model.limit(request.maxSubscriptions(), request.egressMbps());
        int bySubscriptions = nodesFor(subscriptions, limit.maxSubscriptions());
        int byEgress = nodesFor(egressKbps, limit.maxEgressKbps());

        int largest = request.roomSizes().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        int largestPublishers = (int) Math.ceil(largest * request.publishShare() - 1e-9);
        RoomCost largestRoom = model.cost(new RoomShape(largest, largestPublishers, 0), request.mix());
        boolean fits = limit.admits(0, 0, largestRoom);
        return new SizingEstimate(rooms, video, audio, subscriptions, egressKbps / 1_000_000.0, limit, bySubscriptions,
                byEgress, Math.max(bySubscriptions, byEgress), largestRoom, fits);
    }

    private static int nodesFor(double load, long perNode) {
        return perNode <= 0 ? Integer.MAX_VALUE : (int) Math.ceil(load / perNode - 1e-9);
    }
}
