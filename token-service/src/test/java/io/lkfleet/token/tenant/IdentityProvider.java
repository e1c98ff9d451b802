package io.lkfleet.token.tenant;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A tenant's identity provider for tests: real RSA and EC key pairs, a JWKS served over HTTP on
 * 127.0.0.1 (what token-service fetches), and JWTs signed with those keys. Keys can be rotated.
 */
public final class IdentityProvider implements AutoCloseable {
    public static final String ISSUER = "https://idp.initech.test/";

    private final HttpServer server;
    private final Map<String, KeyPair> published = new LinkedHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final String issuer;
    private volatile int status = 200;
    private volatile CountDownLatch dripUntil;

    public IdentityProvider() {
        this(ISSUER);
    }

    public IdentityProvider(String issuer) {
        this.issuer = issuer;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            CountDownLatch drip = dripUntil;
            if (drip != null) {
                // headers at once, then the body one byte at a time, never finished until released
                exchange.sendResponseHeaders(status, 0);
                try {
                    for (int i = 0; !drip.await(50, TimeUnit.MILLISECONDS); i = Math.min(i + 1, body.length - 1)) {
                        exchange.getResponseBody().write(body[i]);
                        exchange.getResponseBody().flush();
                    }
                } catch (InterruptedException | IOException e) {
                    // the client hung up or the provider closed: the body stays unfinished
                }
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(handlers);
        server.start();
        publish("rsa-1", rsa());
        publish("ec-1", ec());
    }

    public URI jwksUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    public int fetches() {
        return fetches.get();
    }

    /** Makes the key set answer with this HTTP status (e.g. 500: the provider is down). */
    public void status(int status) {
        this.status = status;
    }

    /** From now on the key set is sent one byte every 50 ms, without end, until {@link #stopDripping}. */
    public void drip() {
        dripUntil = new CountDownLatch(1);
    }

    public void stopDripping() {
        CountDownLatch drip = dripUntil;
        dripUntil = null;
        if (drip != null) {
            drip.countDown();
        }
    }

    public synchronized void publish(String kid, KeyPair pair) {
        published.put(kid, pair);
    }

    public synchronized KeyPair key(String kid) {
        return published.get(kid);
    }

    /** A JWT for {@code subject} signed with the published key {@code kid} (RS256 or ES256 by its type). */
    public String jwt(String kid, String subject, Instant expires) {
        return JWT.create().withKeyId(kid).withIssuer(issuer).withSubject(subject).withAudience("lkfleet")
                .withExpiresAt(Date.from(expires)).sign(algorithm(key(kid)));
    }

    public static Algorithm algorithm(KeyPair pair) {
        return pair.getPublic() instanceof RSAPublicKey rsa
                ? Algorithm.RSA256(rsa, (RSAPrivateKey) pair.getPrivate())
                : Algorithm.ECDSA256((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized String jwks() {
        return published.entrySet().stream().map(e -> jwk(e.getKey(), e.getValue()))
                .collect(Collectors.joining(",", "{\"keys\":[", "]}"));
    }

    private static String jwk(String kid, KeyPair pair) {
        if (pair.getPublic() instanceof RSAPublicKey rsa) {
            return "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
                    + b64(rsa.getModulus(), 0) + "\",\"e\":\"" + b64(rsa.getPublicExponent(), 0) + "\"}";
        }
        ECPublicKey ec = (ECPublicKey) pair.getPublic();
        return "{\"kty\":\"EC\",\"use\":\"sig\",\"crv\":\"P-256\",\"kid\":\"" + kid + "\",\"x\":\""
                + b64(ec.getW().getAffineX(), 32) + "\",\"y\":\"" + b64(ec.getW().getAffineY(), 32) + "\"}";
    }

    /** Unsigned big-endian base64url, left-padded to {@code length} bytes when given (EC coordinates). */
    private static String b64(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (bytes.length < length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void close() {
        stopDripping();
        server.stop(0);
        handlers.shutdownNow();
    }
}
