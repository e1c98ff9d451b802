package io.lkfleet.ingest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Hs256} gives every token the verdict java-jwt's {@code Algorithm.HMAC256} gives it. */
class Hs256Tests {
    private static final String SECRET = "a-region-secret-\u00e9-with-some-length";

    @Test
    void agreesWithJavaJwtOnGenuineForgedAndDamagedTokens() {
        Algorithm reference = Algorithm.HMAC256(SECRET);
        Hs256 ours = new Hs256(SECRET);
        String genuine = JWT.create().withIssuer("APIkey").withClaim("sha256", "x").sign(reference);
        List<String> tokens = new ArrayList<>(List.of(genuine,
                JWT.create().withIssuer("APIkey").sign(Algorithm.HMAC256("another secret")),
                cut(genuine) + ".", cut(genuine) + ".!!!!", cut(genuine) + ".AAAA", cut(genuine) + "." + sig(genuine) + "=",
                cut(genuine) + "." + sig(genuine).replace('-', '+').replace('_', '/'),
                cut(genuine) + "." + sig(genuine).substring(1), cut(genuine) + "." + sig(genuine) + "A"));
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            char[] damaged = genuine.toCharArray();
            int at = random.nextInt(damaged.length);
            damaged[at] = "ABCxyz019-_.+/=".charAt(random.nextInt(15));
            tokens.add(new String(damaged));
        }
        int genuineOnes = 0;
        for (String token : tokens) {
            DecodedJWT decoded;
            try {
                decoded = JWT.decode(token);
            } catch (RuntimeException e) {
                continue; // not a JWT at all: refused before any algorithm runs
            }
            boolean accepted = verdict(reference, decoded);
            assertEquals(accepted, verdict(ours, decoded), token);
            genuineOnes += accepted ? 1 : 0;
        }
        assertTrue(genuineOnes >= 1, "the genuine token passes");
    }

    @Test
    void keepsAgreeingWhenOneThreadVerifiesManyTokensInARow() {
        Hs256 ours = new Hs256(SECRET);
        String genuine = JWT.create().withIssuer("APIkey").sign(Algorithm.HMAC256(SECRET));
        String forged = JWT.create().withIssuer("APIkey").sign(Algorithm.HMAC256("x"));
        for (int i = 0; i < 100; i++) {
            assertTrue(verdict(ours, JWT.decode(genuine)));
            assertEquals(false, verdict(ours, JWT.decode(forged)));
            assertEquals(false, verdict(ours, JWT.decode(cut(genuine) + ".@@")));
        }
    }

    private static boolean verdict(Algorithm algorithm, DecodedJWT jwt) {
        try {
            algorithm.verify(jwt);
            return true;
        } catch (SignatureVerificationException e) {
            return false;
        }
    }

    private static String cut(String token) {
        return token.substring(0, token.lastIndexOf('.'));
    }

    private static String sig(String token) {
        return token.substring(token.lastIndexOf('.') + 1);
    }
}
