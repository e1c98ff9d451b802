package io.lkfleet.token.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.token.config.TokenServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The public signing keys tenants' identity providers publish as a JWKS (RFC 7517), cached per URL.
 * A set is fetched on first use, again once older than {@code tokens.jwks.max-age}, and early when a
 * token names a key it does not hold (key rotation) — at most every {@code min-refetch-interval}, so
 * tokens with made-up key ids cannot turn token-service into a load generator against the provider.
 * When a fetch fails, the keys already held stay in use. Each URL has its own fetch, at most one at a
 * time, bounded as a whole by {@code fetch-timeout}, and nobody waits for it on a thread: a slow
 * provider delays only its own tenant's logins and holds no thread another tenant needs.
 */
@ApplicationScoped
public class JwksKeys {
    private static final Logger LOG = Logger.getLogger(JwksKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Real key sets are a few KiB; a larger answer is not one. */
    private static final int MAX_BYTES = 256 * 1024;
    private static final String UNAVAILABLE = "the signing keys of the tenant's identity provider cannot be fetched";
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
    /** The fetch under way per URL: requests for one key set wait for the same fetch, never for another URL's. */
    private final ConcurrentMap<URI, CompletableFuture<KeySet>> fetching = new ConcurrentHashMap<>();

    @Inject
    public JwksKeys(TokenServiceConfig tokens) {
        this(tokens.jwks());
    }

    JwksKeys(TokenServiceConfig.Jwks config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.fetchTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The key {@code kid} of the set at {@code url} (with no {@code kid}: the set's only key), or empty
     * when the provider does not publish it; completes at once when the set is held, else when the
     * fetch ends (within {@code fetch-timeout}), failing with {@link KeysUnavailableException} when no
     * set could be fetched and none is held. Never blocks the caller's thread.
     */
    public CompletableFuture<Optional<Jwk>> key(URI url, Optional<String> kid) {
        KeySet set = sets.get(url);
        if (!needsFetch(set, kid, System.nanoTime())) {
            return CompletableFuture.completedFuture(lookup(set, kid));
        }
        return refresh(url, kid).thenApply(fetched -> lookup(fetched, kid));
    }

    private boolean needsFetch(KeySet set, Optional<String> kid, long now) {
        return set == null || stale(set, now) || (lookup(set, kid).isEmpty() && mayRetry(set, now));
    }

    /** Joins the fetch of this URL under way, or starts one. */
    private CompletableFuture<KeySet> refresh(URI url, Optional<String> kid) {
        CompletableFuture<KeySet> mine = new CompletableFuture<>();
        CompletableFuture<KeySet> running = fetching.putIfAbsent(url, mine);
        if (running != null) {
            return running;
        }
        KeySet held = sets.get(url);
        if (!needsFetch(held, kid, System.nanoTime())) {
            // a fetch finished between this request's look and its turn
            fetching.remove(url, mine);
            return CompletableFuture.completedFuture(held);
        }
        start(url, mine);
        return mine;
    }

    /**
     * One fetch with a deadline for the whole answer, body included: a provider that sends its
     * headers and then drips the body is cut off at {@code fetch-timeout} like one that never answers.
     */
    private void start(URI url, CompletableFuture<KeySet> result) {
        long started = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(config.fetchTimeout())
                .header("Accept", "application/json").GET().build();
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(request, JwksKeys::cappedBody);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = sent;
        sent.thenApply(JwksKeys::keysOf)
                .orTimeout(config.fetchTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((keys, failure) -> {
                    exchange.cancel(true);
                    KeySet held = sets.get(url);
                    KeySet next;
                    if (failure == null) {
                        next = new KeySet(keys, started, started);
                    } else {
                        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                        LOG.warnf("user JWT keys not fetched from %s: %s", url,
                                cause instanceof TimeoutException ? "no whole answer within " + config.fetchTimeout()
                                        : cause.getMessage());
                        next = held == null ? null : new KeySet(held.byKid(), held.fetchedNanos(), started);
                    }
                    if (next != null) {
                        sets.put(url, next);
                    }
                    fetching.remove(url, result);
                    if (next == null) {
                        result.completeExceptionally(new KeysUnavailableException(UNAVAILABLE));
                    } else {
                        result.complete(next);
                    }
                });
    }

    private static Map<String, Jwk> keysOf(HttpResponse<byte[]> response) {
        try {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return parse(JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 200's body, refused once it grows past {@link #MAX_BYTES}; any other status's body is dropped. */
    private static HttpResponse.BodySubscriber<byte[]> cappedBody(HttpResponse.ResponseInfo info) {
        return info.statusCode() == 200 ? new CappedBody()
                : HttpResponse.BodySubscribers.replacing(new byte[0]);
    }

    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (body.isDone()) {
                    return;
                }
                if (bytes.size() + buffer.remaining() > MAX_BYTES) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("key set larger than " + MAX_BYTES + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
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
