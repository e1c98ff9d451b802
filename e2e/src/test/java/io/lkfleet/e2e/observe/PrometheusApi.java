package io.lkfleet.e2e.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The parts of Prometheus's HTTP API the tests read: targets, series and alerts. */
final class PrometheusApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;

    PrometheusApi(String url) {
        this.url = url;
    }

    /** Every active scrape target ({@code labels}, {@code health}, {@code lastError}). */
    List<JsonNode> targets() {
        List<JsonNode> targets = new ArrayList<>();
        get("/api/v1/targets?state=active").path("activeTargets").forEach(targets::add);
        return targets;
    }

    /** Label sets of the series {@code selector} matches now. */
    List<JsonNode> series(String selector) {
        List<JsonNode> series = new ArrayList<>();
        long now = System.currentTimeMillis() / 1000;
        get("/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8) + "&start=" + (now - 60)
                + "&end=" + now).forEach(series::add);
        return series;
    }

    /** Alerts now pending or firing, each with {@code labels} and {@code state}. */
    List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        get("/api/v1/alerts").path("alerts").forEach(alerts::add);
        return alerts;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
