package io.lkfleet.ingest.verify;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 checked exactly as java-jwt's own {@code Algorithm.HMAC256} checks it (the base64url signature
 * against the HMAC-SHA256 of {@code header.payload}, compared in constant time), but with one keyed
 * {@link Mac} per thread: java-jwt looks the algorithm up in the security providers and sets the key up
 * again for every token (~2 % of webhook-ingest's CPU in JFR).
 */
final class Hs256 extends Algorithm {
    private static final String HMAC_SHA256 = "HmacSHA256";

    private final ThreadLocal<Mac> mac;

    Hs256(String secret) {
        super("HS256", HMAC_SHA256);
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256);
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac keyed = Mac.getInstance(HMAC_SHA256);
                keyed.init(key);
                return keyed;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every JVM has HmacSHA256", e);
            }
        });
    }

    @Override
    public void verify(DecodedJWT jwt) throws SignatureVerificationException {
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(jwt.getSignature());
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(this, e);
        }
        if (!MessageDigest.isEqual(hmac(jwt.getHeader(), jwt.getPayload()), signature)) {
            throw new SignatureVerificationException(this);
        }
    }

    @Override
    public byte[] sign(byte[] content) {
        Mac keyed = mac.get();
        keyed.reset();
        return keyed.doFinal(content);
    }

    private byte[] hmac(String header, String payload) {
        Mac keyed = mac.get();
        keyed.reset(); // cheap when clean; makes sure nothing half-fed is left from before
        keyed.update(header.getBytes(StandardCharsets.UTF_8));
        keyed.update((byte) '.');
        return keyed.doFinal(payload.getBytes(StandardCharsets.UTF_8));
    }
}
