package io.lkfleet.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livekit.server.AccessToken;
import io.lkfleet.local.FleetLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Forged webhooks fire WebhookRejects, which resolves once they age out of its rule's 5-minute rate
 * window (a rule-level choice, see the rule; only {@code for:} is shortened). That wait is most of this
 * test, so it runs beside the other observe tests (the one class of the observe run that does, see
 * e2e/pom.xml): forged webhooks are refused before they reach Kafka and change nothing they look at.
 */
@Execution(ExecutionMode.CONCURRENT)
class WebhookRejectsIT extends ObservedTest {

    @Test
    void forgedWebhooksFireWebhookRejectsUntilTheyAgeOut() throws Exception {
        FleetLayout.Region region = fleet.layout().regions().values().iterator().next();
        // this runs right after start-up: a rate needs Prometheus to have seen the counter at 0 first
        Awaitility.await().atMost(FIRES_WITHIN).pollInterval(Duration.ofMillis(500))
                .until(() -> !prometheus.series("lkfleet_webhook_rejected_total{reason=\"invalid-signature\"}").isEmpty());
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 20; i++) {
            // the region's API key as issuer, signed with a secret that is not the region's
            AccessToken forged = new AccessToken(region.apiKey(), "forged-secret-forged-secret-forged-secret");
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                    ObservedFleet.url("webhook-ingest") + "/webhook"))
                    .header("Content-Type", "application/webhook+json").header("Authorization", forged.toJwt())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"room_started\",\"id\":\"EV_forged" + i
                            + "\",\"createdAt\":" + System.currentTimeMillis() / 1000 + "}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, response.statusCode(), response.body());
        }
        awaitAlert("WebhookRejects", "firing", Map.of("reason", "invalid-signature"), FIRES_WITHIN);
        awaitAlert("WebhookRejects", "inactive", Map.of("reason", "invalid-signature"), Duration.ofMinutes(7));
    }
}
