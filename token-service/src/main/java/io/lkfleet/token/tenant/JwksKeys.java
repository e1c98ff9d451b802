package io.lkfleet.token.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.token.config.TokenServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * The public signing keys tenants' identity providers publish as a JWKS (RFC 7517), cached per URL.
 * A set is fetched on first use, again once older than {@code tokens.jwks.max-age}, and early when a
 * token names a key it does not hold (key rotation) — at most every {@code min-refetch-interval}, so
 * tokens with made-up key ids cannot turn token-service into a load generator against the provider.
 * When a fetch fails, the keys already held stay in use.
 */
@ApplicationScoped
public class JwksKeys {
    private static final Logger LOG = Logger.getLogger(JwksKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Real key sets are a few KiB; a larger answer is not one. */
    private static final int MAX_BYTES = 256 * 1024;
    private static final Map<String, String> CURVES = Map.of("P-256", "secp256r1", "P-384", "secp384r1",
            "P-521", "secp521r1");

    /** One usable key: {@code alg} is the algorithm the provider pinned it to, if it did. */
    public record Jwk(PublicKey key, Optional<String> alg) {
    }

    /** The keys of one URL; {@code fetchedNanos} is when they were fetched, {@code triedNanos} the last attempt. */
    private record KeySet(Map<String, Jwk> byKid, long fetchedNanos, long triedNanos) {
    }

    /** No key set could be fetched and none is held: the caller cannot be verified right now. */
    public static class KeysUnavailableException extends Exception {
        KeysUnavailableException(String message) {
            super(message, null, false, false);
        }
    }

    private final TokenServiceConfig.Jwks config;
    private final HttpClient http;
    private final ConcurrentMap<URI, KeySet> sets = new ConcurrentHashMap<>();

    public JwksKeys(TokenServiceConfig tokens) {
        this.config = tokens.jwks();
        this.http = HttpClient.newBuilder().connectTimeout(config.fetchTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The key {@code kid} of the set at {@code url} (with no {@code kid}: the set's only key), or empty
     * when the provider does not publish it.
     */
    public Optional<Jwk> key(URI url, Optional<String> kid) throws KeysUnavailableException {
        long now = System.nanoTime();
        KeySet set = sets.get(url);
        if (set == null || stale(set, now) || (lookup(set, kid).isEmpty() && mayRetry(set, now))) {
            set = refresh(url, kid);
        }
        return lookup(set, kid);
    }

    private synchronized KeySet refresh(URI url, Optional<String> kid) throws KeysUnavailableException {
        long now = System.nanoTime();
        KeySet held = sets.get(url);
        // another request may have fetched while this one waited for the lock
        if (held != null && !stale(held, now) && (lookup(held, kid).isPresent() || !mayRetry(held, now))) {
            return held;
        }
        try {
            KeySet fetched = new KeySet(fetch(url), now, now);
            sets.put(url, fetched);
            return fetched;
        } catch (IOException e) {
            LOG.warnf("user JWT keys not fetched from %s: %s", url, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (held == null) {
            throw new KeysUnavailableException("the signing keys of the tenant's identity provider cannot be fetched");
        }
        KeySet kept = new KeySet(held.byKid(), held.fetchedNanos(), now);
        sets.put(url, kept);
        return kept;
    }

    private boolean stale(KeySet set, long now) {
        return now - set.fetchedNanos() > config.maxAge().toNanos() && mayRetry(set, now);
    }

    private boolean mayRetry(KeySet set, long now) {
        return now - set.triedNanos() >= config.minRefetchInterval().toNanos();
    }

    private static Optional<Jwk> lookup(KeySet set, Optional<String> kid) {
        if (kid.isPresent()) {
            return Optional.ofNullable(set.byKid().get(kid.get()));
        }
        return set.byKid().size() == 1 ? set.byKid().values().stream().findFirst() : Optional.empty();
    }

    private Map<String, Jwk> fetch(URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(config.fetchTimeout())
                .header("Accept", "application/json").GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException("key set larger than " + MAX_BYTES + " bytes");
            }
            return parse(JSON.readTree(bytes));
        }
    }

    /** Signing keys of a JWKS document by {@code kid}; keys of other uses or unknown types are skipped. */
    static Map<String, Jwk> parse(JsonNode jwks) throws IOException {
        if (!jwks.path("keys").isArray()) {
            throw new IOException("not a JWKS: no keys array");
        }
        Map<String, Jwk> keys = new HashMap<>();
        int unnamed = 0;
        for (JsonNode jwk : jwks.path("keys")) {
            if (!jwk.path("use").asText("sig").equals("sig")) {
                continue;
            }
            Optional<PublicKey> key;
            try {
                key = publicKey(jwk);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                continue; // one malformed key must not take the provider's other keys with it
            }
            if (key.isPresent()) {
                String kid = jwk.hasNonNull("kid") ? jwk.get("kid").asText() : "unnamed-" + unnamed++;
                keys.put(kid, new Jwk(key.get(), Optional.ofNullable(jwk.get("alg")).map(JsonNode::asText)));
            }
        }
        return Map.copyOf(keys);
    }

    private static Optional<PublicKey> publicKey(JsonNode jwk) throws GeneralSecurityException {
        switch (jwk.path("kty").asText()) {
            case "RSA":
                return Optional.of(KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(number(jwk, "n"), number(jwk, "e"))));
            case "EC":
                String curve = CURVES.get(jwk.path("crv").asText());
                if (curve == null) {
                    return Optional.empty();
                }
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(curve));
                return Optional.of(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                        new ECPoint(number(jwk, "x"), number(jwk, "y")),
                        parameters.getParameterSpec(ECParameterSpec.class))));
            default:
                return Optional.empty();
        }
    }

    private static BigInteger number(JsonNode jwk, String field) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path(field).asText()));
    }
}
