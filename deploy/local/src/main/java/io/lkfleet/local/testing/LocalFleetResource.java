package io.lkfleet.local.testing;

import io.lkfleet.local.LocalFleet;
import io.lkfleet.local.RedisUsers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} the real fleet: Kafka, Redis and the livekit-server nodes of both
 * regions (no packaged services), with LiveKit's webhooks pointed at the application under test.
 * The application gets the fleet's configuration ({@code fleet.*}, Kafka, Redis) and a fixed test
 * port, since LiveKit must know where to post before the application starts.
 */
public class LocalFleetResource implements QuarkusTestResourceLifecycleManager {
    /** Config key of lkfleet's Redis as the harness's admin user, given to tests only. */
    public static final String ADMIN_REDIS_URI = "lkfleet.test.admin-redis-uri";
    private static int httpPort;

    @Override
    public Map<String, String> start() {
        synchronized (LocalFleetResource.class) {
            if (httpPort == 0) {
                httpPort = freePort();
            }
        }
        LocalFleet fleet = TestFleet.get(List.of("http://127.0.0.1:" + httpPort + "/webhook"), List.of());
        Map<String, String> config = new HashMap<>(fleet.serviceProperties());
        config.put("quarkus.http.test-port", Integer.toString(httpPort));
        // for the few test steps a service's own Redis user may not take (e.g. SCRIPT FLUSH)
        config.put(ADMIN_REDIS_URI, fleet.layout().fleetRedisUri(RedisUsers.ADMIN));
        return config;
    }

    @Override
    public void stop() {
        // The fleet outlives one test class; TestFleet stops it when the JVM exits.
    }

    /** The port the application under test listens on. */
    public static int httpPort() {
        return httpPort;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
