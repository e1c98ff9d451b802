package io.lkfleet.e2e.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.local.LocalFleet;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;

/** Base of the observability tests: they share {@link ObservedFleet}'s fleet and its Prometheus. */
abstract class ObservedTest {
    /** An alert's condition holds: within this it is firing (its {@code for:} is {@link ObservedFleet#ALERTS_FOR}). */
    static final Duration FIRES_WITHIN = Duration.ofSeconds(60);
    static LocalFleet fleet;
    static PrometheusApi prometheus;

    @BeforeAll
    static void startFleet() {
        fleet = ObservedFleet.fleet();
        prometheus = ObservedFleet.prometheus();
    }

    /** Waits until Prometheus reports alert {@code name} with {@code labels} in {@code state} (inactive: absent). */
    static void awaitAlert(String name, String state, Map<String, String> labels, Duration within) {
        Awaitility.await(name + " " + state + " " + labels).atMost(within).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String now = "inactive";
                    for (JsonNode alert : prometheus.alerts()) {
                        JsonNode l = alert.path("labels");
                        if (l.path("alertname").asText().equals(name)
                                && labels.entrySet().stream().allMatch(e -> l.path(e.getKey()).asText().equals(e.getValue()))) {
                            now = alert.path("state").asText();
                        }
                    }
                    return now.equals(state);
                });
    }
}
