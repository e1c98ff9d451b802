package io.lkfleet.e2e.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lkfleet.local.LocalFleet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A script of tools/browser running headless Chromium (puppeteer-core), e.g. {@code console.mjs} (the
 * fleet console) or {@code web-call.mjs} (a web app's call): one JSON command and answer per line, the
 * protocol of {@code tools/browser/driver.mjs}. Start it inside the fleet's network namespace.
 */
final class BrowserScript implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final Writer stdin;
    private final BufferedReader stdout;
    private final JsonNode ready;

    private BrowserScript(Process process) throws IOException {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.ready = read();
        if (!"ready".equals(ready.path("event").asText())) {
            throw new IllegalStateException("the browser script did not start: " + ready);
        }
    }

    /** Starts {@code tools/browser/<script>} with {@code env} and waits for its ready line. */
    static BrowserScript start(String script, Map<String, String> env) throws IOException {
        Path tools = new LocalFleet.Options().repoRoot().resolve("tools/browser");
        if (!Files.isDirectory(tools.resolve("node_modules/puppeteer-core"))) {
            throw new IllegalStateException("puppeteer-core is not installed; run deploy/local/setup");
        }
        ProcessBuilder builder = new ProcessBuilder("node", tools.resolve(script).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(env);
        return new BrowserScript(builder.start());
    }

    /** The script's ready line (what it set up, e.g. the console's nodes once it showed the fleet). */
    JsonNode ready() {
        return ready;
    }

    /** Sends {@code command} ({@code cmd} and its fields) and returns the answer; fails on an error answer. */
    JsonNode ask(ObjectNode command) throws IOException {
        stdin.write(JSON.writeValueAsString(command) + "\n");
        stdin.flush();
        JsonNode answer = read();
        if (answer.has("error") || !answer.path("pageErrors").isEmpty()) {
            throw new IllegalStateException(command.path("cmd").asText() + " failed in the browser: " + answer);
        }
        return answer;
    }

    static ObjectNode command(String cmd) {
        return JSON.createObjectNode().put("cmd", cmd);
    }

    private JsonNode read() throws IOException {
        String line;
        while ((line = stdout.readLine()) != null) {
            if (line.startsWith("{")) {
                return JSON.readTree(line);
            }
        }
        throw new IllegalStateException("the browser script ended");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            stdin.write("{\"cmd\":\"quit\"}\n");
            stdin.flush();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
