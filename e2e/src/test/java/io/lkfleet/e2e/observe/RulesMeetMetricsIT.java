package io.lkfleet.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lkfleet.local.LocalFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The alert rules meet the real metrics: the fleet's Prometheus scrapes every real process (the four
 * services, every livekit-server node, the join probe, the node exporter), and every metric and label
 * set a rule in deploy/prometheus/rules selects is exported. A renamed meter or label fails here, not
 * in an incident. Runs right after start-up: lkfleet's own series must exist before anything happened.
 */
class RulesMeetMetricsIT extends ObservedTest {
    private static final Path RULES = new LocalFleet.Options().repoRoot().resolve("deploy/prometheus/rules");

    @Test
    void prometheusScrapesEveryProcessOfTheFleet() {
        Set<String> expected = new TreeSet<>(fleet.services().keySet());
        expected.addAll(List.of("livekit", "join-probe", "node", "prometheus"));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<JsonNode> targets = prometheus.targets();
            assertEquals(expected, targets.stream().map(t -> t.path("labels").path("job").asText())
                    .collect(Collectors.toCollection(TreeSet::new)));
            assertEquals(fleet.nodes().size(), targets.stream()
                    .filter(t -> t.path("labels").path("job").asText().equals("livekit")).count());
            targets.forEach(t -> assertEquals("up", t.path("health").asText(), t.toString()));
        });
    }

    @Test
    void everyMetricAndLabelARuleUsesIsExported() {
        List<RuleUses> rules = RuleUses.read(RULES);
        assertTrue(rules.size() >= 14, "the shipped rules: " + rules.size());
        rules.forEach(r -> assertFalse(r.selectors().isEmpty(), r.alert() + " selects nothing? " + r.expr()));
        // the reading of PromQL finds selectors, not functions, aggregations or grouping labels
        Set<String> metrics = rules.stream().flatMap(r -> r.selectors().stream()).map(RuleUses.Selector::text)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(metrics.containsAll(List.of("lkfleet_router_decisions_total{outcome=\"refused\"}", "up{job=\"livekit\"}",
                "node_cpu_seconds_total{mode=\"idle\"}", "lkfleet_probe_join_seconds_bucket")), metrics.toString());
        assertTrue(metrics.stream().noneMatch(m -> m.matches("(sum|avg|max|rate|region|instance|le)\\b.*")),
                metrics.toString());
        // one scrape of every target after start-up, and the probe's first joins
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(List.of(), missing(rules)));
    }

    /** Each unmet need, in words; empty when every rule's series exist with the labels it uses. */
    private static List<String> missing(List<RuleUses> rules) {
        List<String> missing = new ArrayList<>();
        for (RuleUses rule : rules) {
            for (RuleUses.Selector selector : rule.selectors()) {
                List<JsonNode> series = prometheus.series(selector.text());
                if (series.isEmpty() && !selector.equalTo().isEmpty() && !selector.metric().startsWith("lkfleet_")
                        && labelsExist(selector)) {
                    // LiveKit exports a label value (e.g. status="drop") only once it happened; the name and
                    // the label must exist. lkfleet's own series must exist with every value a rule names.
                    continue;
                }
                if (series.isEmpty()) {
                    missing.add(rule.alert() + ": no series " + selector.text());
                }
                for (JsonNode s : series) {
                    rule.labels().stream().filter(l -> !s.has(l)).forEach(l -> missing.add(rule.alert() + ": "
                            + selector.metric() + " has no label '" + l + "' on " + s));
                }
            }
        }
        return missing;
    }

    private static boolean labelsExist(RuleUses.Selector selector) {
        List<JsonNode> any = prometheus.series(selector.metric());
        return any.stream().anyMatch(s -> selector.equalTo().keySet().stream().allMatch(s::has));
    }

    @Test
    void lkfleetSeriesTheIssueFoundMissingExistFromStartUp() {
        Map<String, Integer> expected = Map.of(
                // a reason no test provokes: WebhookRejectsIT's forgeries run beside this test
                "lkfleet_webhook_rejected_total{reason=\"malformed-json\"}", 1,
                "lkfleet_capacity_guard_idle_rooms", fleet.layout().regions().size(),
                "lkfleet_capacity_guard_egress_without_publishers", fleet.layout().regions().size(),
                "lkfleet_probe_join_seconds_bucket", fleet.layout().regions().size());
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                expected.forEach((metric, atLeast) -> assertTrue(prometheus.series(metric).size() >= atLeast,
                        metric + ": " + prometheus.series(metric))));
    }
}
