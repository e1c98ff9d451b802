package io.lkfleet.local.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lkfleet.local.FleetStartException;
import io.lkfleet.local.LocalFleet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real WebRTC participants: one Node.js process ({@code tools/rtc-client}, @livekit/rtc-node)
 * holding several participants that join with the tokens given, publish generated audio/video and
 * subscribe. Start it from a JVM inside the fleet's network namespace.
 */
public final class RtcParticipants implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One participant to connect: {@code publish} holds "audio" and/or "video". */
    public record Spec(String label, String url, String token, List<String> publish, boolean subscribe) {
    }

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<JsonNode> joined = new ArrayList<>();
    private final List<JsonNode> failed = new ArrayList<>();

    private RtcParticipants(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readEvents, "rtc-client-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the participants and waits until each has joined or failed. */
    public static RtcParticipants join(List<Spec> participants, Duration timeout) {
        Path root = new LocalFleet.Options().repoRoot();
        Path client = root.resolve("tools/rtc-client/client.mjs");
        if (!Files.exists(root.resolve("tools/rtc-client/node_modules/@livekit/rtc-node"))) {
            throw new FleetStartException("the WebRTC client is not installed; run deploy/local/setup");
        }
        ObjectNode spec = JSON.createObjectNode();
        spec.put("connectTimeoutMs", timeout.toMillis());
        ArrayNode list = spec.putArray("participants");
        participants.forEach(p -> {
            ObjectNode node = list.addObject();
            node.put("label", p.label()).put("url", p.url()).put("token", p.token()).put("subscribe", p.subscribe());
            p.publish().forEach(node.putArray("publish")::add);
        });
        try {
            ProcessBuilder builder = new ProcessBuilder("node", client.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("NODE_ENV", "production");
            RtcParticipants rtc = new RtcParticipants(builder.start());
            rtc.send(JSON.writeValueAsString(spec));
            rtc.awaitReady(timeout.plusSeconds(10));
            return rtc;
        } catch (IOException e) {
            throw new FleetStartException("cannot start the WebRTC client: " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        JsonNode event;
        do {
            event = next(timeout, "participants to join");
            switch (event.path("event").asText()) {
                case "joined" -> joined.add(event);
                case "failed" -> failed.add(event);
                case "error" -> throw new IllegalStateException("WebRTC client failed: " + event.path("error").asText());
                default -> {
                }
            }
        } while (!event.path("event").asText().equals("ready"));
    }

    /** Participants that connected (ICE and DTLS up), with their join time in {@code joinMs}. */
    public List<JsonNode> joined() {
        return joined;
    }

    /** Participants that could not connect, with the client's {@code error}. */
    public List<JsonNode> failed() {
        return failed;
    }

    /** Per participant: tracks subscribed by kind and how many delivered media. */
    public JsonNode stats() {
        send("stats");
        return next(Duration.ofSeconds(10), "stats").path("participants");
    }

    /** Disconnects everyone and waits for the client to exit; returns the final stats. */
    public JsonNode leave() {
        send("leave");
        JsonNode left = next(Duration.ofSeconds(30), "participants to leave");
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return left.path("participants");
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                leave();
            } catch (RuntimeException e) {
                process.destroyForcibly();
            }
        }
    }

    private void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the WebRTC client is gone: " + e.getMessage(), e);
        }
    }

    private JsonNode next(Duration timeout, String what) {
        try {
            JsonNode event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what);
        }
    }

    private void readEvents() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("{")) {
                    events.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            events.add(JSON.createObjectNode().put("event", "error").put("error", e.getMessage()));
        }
    }
}
