package io.lkfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.LocalFleet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The synthetic join probe (tools/rtc-client/probe.mjs) against the whole fleet. */
class JoinProbeIT extends FleetTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void probeJoinsEveryRegionExportsTheJoinHistogramAndTeachesTheRouter() throws Exception {
        String regions = fleet.layout().regions().values().stream().map(r -> r.name() + "=" + r.livekitUrl())
                .collect(Collectors.joining(","));
        ProcessBuilder builder = new ProcessBuilder("node",
                new LocalFleet.Options().repoRoot().resolve("tools/rtc-client/probe.mjs").toString());
        builder.environment().putAll(Map.of("PROBE_ONCE", "1", "NODE_ENV", "production",
                "PROBE_TOKEN_URL", fleet.layout().services().get("token-service").url() + "/v1/token",
                "PROBE_API_KEY", "dev-tenant-key-change-me", "PROBE_REGIONS", regions, "PROBE_ROOM_PREFIX", "dev-probe-"));
        Process probe = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(probe.waitFor(90, TimeUnit.SECONDS), "one probe round ends by itself");
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        JsonNode report = JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
        assertEquals(0, probe.exitValue(), out);
        for (JsonNode result : report.path("results")) {
            assertTrue(result.path("ok").asBoolean(), result.toString());
            assertEquals(result.path("region").asText(), result.path("routedTo").asText(), "the probe's RTT steers it");
            assertTrue(result.path("joinMs").asLong() >= result.path("connectMs").asLong());
        }
        assertEquals(fleet.layout().regions().size(), report.path("results").size());
        String metrics = report.path("metrics").asText();
        for (FleetLayout.Region region : fleet.layout().regions().values()) {
            assertTrue(metrics.contains("lkfleet_probe_join_seconds_count{region=\"" + region.name() + "\"} 1"), metrics);
        }
        // The probe's token requests carried measured RTTs: token-service, which routes joins in process,
        // now has estimates for its clients' network (each routing process learns from the joins it routes).
        String room = "dev-learned-" + System.nanoTime();
        E2eFleet.tokenRetrying(fleet.layout().services().get("token-service").url() + "/v1/token",
                Map.of("room_name", room, "participant_identity", "x"));
        assertEquals("learned", decision(room, "x").latencySource());
    }
}
