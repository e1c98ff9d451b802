package io.lkfleet.token.rest;

import io.lkfleet.token.config.TokenServiceConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Each entry of {@code tokens.browser-origins} must be able to match what a browser sends: an origin is
 * {@code scheme://host[:port]} and nothing more. {@code https://meet.example.com/} (a path, even just
 * "/") never matches, so every page of that app would be refused with nothing in token-service's log:
 * token-service refuses to start with it instead. {@code /regex/} entries are Quarkus's to compile.
 */
@Startup
@ApplicationScoped
public class BrowserOrigins {
    private static final Pattern ORIGIN = Pattern.compile("https?://[^/?#@\\s]+");

    public BrowserOrigins(TokenServiceConfig config) {
        check(config.browserOrigins().orElse(List.of()));
    }

    static void check(List<String> origins) {
        for (String origin : origins) {
            boolean pattern = origin.length() > 2 && origin.startsWith("/") && origin.endsWith("/");
            if (!pattern && !ORIGIN.matcher(origin).matches()) {
                throw new IllegalStateException("tokens.browser-origins: '" + origin + "' is not an origin as browsers "
                        + "send it (scheme://host[:port], no path or trailing '/') nor a /regex/");
            }
        }
    }
}
