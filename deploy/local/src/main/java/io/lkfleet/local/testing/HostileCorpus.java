package io.lkfleet.local.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A corpus of hostile requests against one service, each with the refusal it must get: its status
 * and problem {@code type}. {@link #run} sends them all and fails naming every request that got a
 * 5xx or another answer than its own; the caller then checks that nothing changed (no key written,
 * no record produced).
 */
public final class HostileCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1: the services speak it, and an h2c upgrade attempt only adds a failure mode of its own
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * One request and the refusal it must get. Each header is a name and a value; a name may repeat.
     * {@code type} null: any problem type (the framework's own refusals, e.g. 405).
     */
    public record Attack(String category, String method, String path, List<String[]> headers, byte[] body, int status,
            String type) {
    }

    /** The status of an attack that may get any 4xx. */
    public static final int ANY_4XX = 0;

    private final List<Attack> attacks = new ArrayList<>();

    public HostileCorpus add(Attack attack) {
        attacks.add(attack);
        return this;
    }

    public int size() {
        return attacks.size();
    }

    /** Headers from name/value pairs: {@code headers("Authorization", "Bearer x", "Content-Type", "application/json")}. */
    public static List<String[]> headers(String... nameValue) {
        List<String[]> headers = new ArrayList<>();
        for (int i = 0; i + 1 < nameValue.length; i += 2) {
            if (nameValue[i + 1] != null) {
                headers.add(new String[] {nameValue[i], nameValue[i + 1]});
            }
        }
        return headers;
    }

    /**
     * Names an attacker would try as a room, node, region or identity: traversal, injection, key
     * syntax, glob characters, control and bidi characters, huge ones. Each contains {@code marker},
     * so a test can look for it in Redis and Kafka afterwards.
     */
    public static List<String> hostileNames(String marker) {
        List<String> names = new ArrayList<>(List.of("../" + marker, "..%2F" + marker, marker + "\u0000x",
                marker + "\r\nX-Injected: 1", marker + "'; DROP TABLE rooms; --", marker + "{eu-west}",
                "fleet:{eu-west}:draining" + marker, marker + ":reserved", marker + "*", marker + "?", marker + "[a-z]",
                "\u202e" + marker, "\ud83d\ude00" + marker, "%s%n%x" + marker, "${jndi:ldap://x/" + marker + "}",
                "<script>" + marker + "</script>", marker.repeat(100), "EU-WEST" + marker, " eu-west" + marker));
        for (int i = 0; i < 6; i++) {
            names.add(marker + "-" + "\\".repeat(i + 1) + "/" + i);
        }
        return names;
    }

    /** True when {@code name} can travel as one path segment: no '/', '\\', '%' or control character. */
    public static boolean plainSegment(String name) {
        return name.chars().noneMatch(ch -> ch == '/' || ch == '\\' || ch == '%' || ch < 0x20);
    }

    /**
     * {@code Authorization} values that must never pass an API whose bearer token is {@code own}:
     * none, empty, other schemes, the bare token, padded, truncated, extended, re-cased, doubled, big,
     * and {@code other} (another API's token). Null means no header.
     */
    public static List<String> badBearers(String own, String other) {
        // (not "Bearer <own> ": HTTP drops a header value's trailing whitespace, so that is the right token;
        // and under 8 KB, Vert.x's header limit, so the guard answers and not the HTTP layer)
        return java.util.Arrays.asList(null, "", "Bearer", "Bearer ", "Bearer " + other, "Basic " + own, own,
                "Bearer " + own + "x", "Bearer " + own.substring(1), "Bearer " + own.toUpperCase(), "Bearer  " + own,
                "Token " + own, "Bearer null", "Bearer " + "A".repeat(4000), "Bearer " + own + "," + own,
                "Bearer\t" + own, "Bearer " + own.substring(0, own.length() - 1));
    }

    /** Sends every attack to {@code baseUrl}; returns how many got each status. */
    public Map<Integer, Integer> run(String baseUrl) {
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (Attack a : attacks) {
            HttpResponse<String> response = send(baseUrl, a);
            byStatus.merge(response.statusCode(), 1, Integer::sum);
            String type = typeOf(response.body());
            boolean statusOk = a.status() == ANY_4XX ? response.statusCode() / 100 == 4 : response.statusCode() == a.status();
            if (response.statusCode() >= 500 || !statusOk
                    || (a.type() != null && !a.type().equals(type))) {
                wrong.add(a.category() + " (" + a.method() + " " + a.path() + "): " + response.statusCode() + " " + type
                        + ", expected " + a.status() + " " + a.type());
            }
        }
        if (!wrong.isEmpty()) {
            throw new AssertionError(wrong.size() + " of " + attacks.size() + " hostile requests got the wrong answer:\n  "
                    + String.join("\n  ", wrong));
        }
        return byStatus;
    }

    private static HttpResponse<String> send(String baseUrl, Attack a) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + a.path())).timeout(Duration.ofSeconds(20))
                .method(a.method(), a.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(a.body()));
        a.headers().forEach(h -> request.header(h[0], h[1]));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(a.category() + ": no answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(a.category() + ": interrupted", e);
        }
    }

    private static String typeOf(String body) {
        try {
            JsonNode type = JSON.readTree(body).path("type");
            return type.isTextual() ? type.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
