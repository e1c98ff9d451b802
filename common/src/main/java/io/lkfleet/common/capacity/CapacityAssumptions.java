package io.lkfleet.common.capacity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The assumptions behind every capacity figure lkfleet computes (prefix {@code fleet.capacity}),
 * shared by capacity-service and region-router so both price a room the same way. Defaults follow
 * the 2026 ops guide: a forwarded 720p camera layer is 1.7 Mbit/s, so 100 two-way participants in
 * 4-person rooms need ~0.5 Gbit/s of egress, inside the guide's 0.4–0.8 Gbit/s budget.
 */
@ConfigMapping(prefix = "fleet.capacity")
public interface CapacityAssumptions {

    /** Share of a node's measured capacity kept free (0.35 = admit up to 65 %): WebRTC degrades before CPU shows it. */
    @WithDefault("0.35")
    double headroom();

    /** Simulcast layers of a camera track and the share of subscriptions that receive each. */
    Video video();

    /** Bitrate of one forwarded audio track (Opus voice), kbit/s. */
    @WithDefault("32")
    int audioKbps();

    /** Bitrate of one forwarded screen-share track (single layer, text-sharp), kbit/s. */
    @WithDefault("2500")
    int screenShareKbps();

    /** A camera track's simulcast layers. */
    interface Video {
        /** High layer (720p) bitrate, kbit/s. */
        @WithDefault("1700")
        int highKbps();

        /** Medium layer (360p) bitrate, kbit/s. */
        @WithDefault("500")
        int mediumKbps();

        /** Low layer (180p) bitrate, kbit/s. */
        @WithDefault("150")
        int lowKbps();

        /** Share of video subscriptions forwarded at the high layer (small rooms show everyone large). */
        @WithDefault("1.0")
        double mixHigh();

        /** Share of video subscriptions forwarded at the medium layer. */
        @WithDefault("0.0")
        double mixMedium();

        /** Share of video subscriptions forwarded at the low layer (thumbnails in big grids). */
        @WithDefault("0.0")
        double mixLow();
    }
}
