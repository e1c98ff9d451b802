package io.lkfleet.common.capacity;

import java.util.Map;
import java.util.TreeMap;

/**
 * The guide's sizing question: {@code participants} in total, spread over rooms by
 * {@code roomSizes} (room size → share of all participants sitting in rooms of that size, shares
 * adding up to 1), {@code publishShare} of them publishing camera+mic, video forwarded at {@code mix},
 * on nodes of measured capacity {@code maxSubscriptions}/{@code egressMbps}.
 */
public record SizingRequest(long participants, Map<Integer, Double> roomSizes, double publishShare, SimulcastMix mix,
        int maxSubscriptions, int egressMbps) {
    private static final double TOLERANCE = 1e-6;

    public SizingRequest {
        if (participants < 0) {
            throw new IllegalArgumentException("participants must not be negative");
        }
        // written so that NaN fails every test (a comparison with NaN is false)
        if (roomSizes.isEmpty() || roomSizes.keySet().stream().anyMatch(size -> size < 1)
                || !roomSizes.values().stream().allMatch(share -> share >= 0)
                || !(Math.abs(roomSizes.values().stream().mapToDouble(Double::doubleValue).sum() - 1.0) <= TOLERANCE)) {
            throw new IllegalArgumentException("room sizes must be sizes >= 1 with non-negative shares adding up to 1");
        }
        if (!(publishShare >= 0 && publishShare <= 1)) {
            throw new IllegalArgumentException("publish share must be in [0, 1]");
        }
        if (maxSubscriptions <= 0 || egressMbps <= 0) {
            throw new IllegalArgumentException("node capacity must be positive");
        }
        roomSizes = Map.copyOf(new TreeMap<>(roomSizes));
    }
}
