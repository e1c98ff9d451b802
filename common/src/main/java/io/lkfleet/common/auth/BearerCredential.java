package io.lkfleet.common.auth;

import io.lkfleet.common.contract.Problems;
import io.lkfleet.common.contract.Reason;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One bearer token an API requires ({@code Authorization: Bearer <token>}), from config key
 * {@link #configKey()}. Compared as SHA-256 digests with {@link MessageDigest#isEqual}, so neither the
 * token's content nor its length leaks through timing. Unconfigured, it admits nobody: an API is never
 * open; outside the dev and test profiles {@link #requireConfigured} stops the service at start instead.
 */
public final class BearerCredential {
    /** Shorter tokens are refused at start: they could be guessed. */
    public static final int MIN_LENGTH = 24;
    private static final String SCHEME = "bearer ";

    private final String configKey;
    private final String name;
    private final byte[] digest;

    private BearerCredential(String configKey, String name, byte[] digest) {
        this.configKey = configKey;
        this.name = name;
        this.digest = digest;
    }

    /**
     * The credential named {@code name} (for people: "admin token") configured under {@code configKey};
     * {@code token} empty means none is configured.
     */
    public static BearerCredential of(String configKey, String name, Optional<String> token) {
        return new BearerCredential(configKey, name,
                token.filter(t -> !t.isBlank()).map(t -> sha256(t.getBytes(StandardCharsets.UTF_8))).orElse(null));
    }

    /** The config key, e.g. {@code router.admin-token}. */
    public String configKey() {
        return configKey;
    }

    /** The environment variable that sets {@code configKey} (MicroProfile Config's mapping). */
    public static String envVar(String configKey) {
        return configKey.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /**
     * Stops a service started without this credential, or with one too short to be secret, unless
     * {@code profiles} holds {@code dev} or {@code test}. The message names the key and the variable.
     */
    public static void requireConfigured(List<String> profiles, String configKey, Optional<String> token) {
        if (profiles.contains("dev") || profiles.contains("test")) {
            return;
        }
        String envVar = envVar(configKey);
        if (token.filter(t -> !t.isBlank()).isEmpty()) {
            throw new IllegalStateException(configKey + " is not set: set it (environment variable " + envVar
                    + ", from a Secret) to a random token of at least " + MIN_LENGTH
                    + " characters; this service does not start with an open API");
        }
        if (token.get().length() < MIN_LENGTH) {
            throw new IllegalStateException(configKey + " (environment variable " + envVar + ") is shorter than "
                    + MIN_LENGTH + " characters; use a random token");
        }
    }

    /** True when {@code authorization} (the header's value) carries this token. */
    public boolean admits(String authorization) {
        if (digest == null || authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] given = sha256(authorization.substring(SCHEME.length()).getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(given, digest);
    }

    /**
     * Nothing when {@code authorization} carries this token, else the 401 problem+json to answer with
     * (type {@link Reason#UNAUTHORIZED}); the detail names the credential, never what was sent.
     */
    public Optional<Response> refusal(String authorization) {
        if (admits(authorization)) {
            return Optional.empty();
        }
        Map<String, Object> body = Problems.document(Reason.UNAUTHORIZED.slug(), Reason.UNAUTHORIZED.status(),
                "Unauthorized", "this API needs the " + name + " as " + HttpHeaders.AUTHORIZATION + ": Bearer <token>");
        return Optional.of(Response.status(Response.Status.UNAUTHORIZED).type(Problems.MEDIA_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").entity(body).build());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
