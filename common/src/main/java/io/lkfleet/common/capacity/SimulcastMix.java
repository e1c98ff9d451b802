package io.lkfleet.common.capacity;

/** Shares of video subscriptions forwarded at each simulcast layer; they add up to 1. */
public record SimulcastMix(double high, double medium, double low) {
    private static final double TOLERANCE = 1e-6;

    public SimulcastMix {
        // written so that NaN fails every test (a comparison with NaN is false)
        if (!(high >= 0 && medium >= 0 && low >= 0 && Math.abs(high + medium + low - 1.0) <= TOLERANCE)) {
            throw new IllegalArgumentException("simulcast mix must be non-negative shares adding up to 1, got "
                    + high + "/" + medium + "/" + low);
        }
    }

    /** The configured default mix. */
    public static SimulcastMix of(CapacityAssumptions.Video video) {
        return new SimulcastMix(video.mixHigh(), video.mixMedium(), video.mixLow());
    }
}
