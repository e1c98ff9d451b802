package io.lkfleet.bench;

import io.lkfleet.local.FleetLayout;
import java.util.List;
import java.util.Map;

/**
 * token-service's peer: LiveKit's token endpoint in its smallest form ({@code bench/node-token/server.mjs},
 * livekit-server-sdk, 2 cluster workers, no auth or routing), signing for eu-west, on a free port.
 */
final class NodeTokenPeer implements AutoCloseable {
    final Process process;
    final String url;

    private NodeTokenPeer(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    static NodeTokenPeer start(BenchContext ctx) {
        FleetLayout.Region region = ctx.region("eu-west");
        int port = Procs.freePort();
        Process node = Procs.start(List.of("node", ctx.repoRoot().resolve("bench/node-token/server.mjs").toString()),
                Map.of("PORT", Integer.toString(port), "LIVEKIT_API_KEY", region.apiKey(), "LIVEKIT_API_SECRET",
                        region.apiSecret(), "LIVEKIT_URL", region.livekitUrl(), "NODE_WORKERS", "2"),
                ctx.workDir().resolve("node-token.log"));
        try {
            Procs.awaitListening(port, "the Node token endpoint");
        } catch (RuntimeException e) {
            Procs.stop(node);
            throw e;
        }
        return new NodeTokenPeer(node, "http://127.0.0.1:" + port + "/");
    }

    @Override
    public void close() {
        Procs.stop(process);
    }
}
