package io.lkfleet.token.tenant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lkfleet.token.rest.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A user JWT's shape is checked before any key is looked up: every hostile shape is a 401, never a crash. */
public class HostileJwtTests {
    private static final String PAYLOAD = "{\"iss\":\"acme\",\"sub\":\"alice\",\"exp\":4102444800}";
    private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    public static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("header without alg", jwt("{\"typ\":\"JWT\"}", PAYLOAD)),
                Arguments.of("empty header", jwt("{}", PAYLOAD)),
                Arguments.of("alg null", jwt("{\"alg\":null}", PAYLOAD)),
                Arguments.of("alg a number", jwt("{\"alg\":256}", PAYLOAD)),
                Arguments.of("alg an array", jwt("{\"alg\":[\"HS256\"]}", PAYLOAD)),
                Arguments.of("alg an object", jwt("{\"alg\":{\"a\":1}}", PAYLOAD)),
                Arguments.of("header an array", jwt("[\"HS256\"]", PAYLOAD)),
                Arguments.of("header a string", jwt("\"HS256\"", PAYLOAD)),
                Arguments.of("header null", jwt("null", PAYLOAD)),
                Arguments.of("header not JSON", jwt("{alg:HS256", PAYLOAD)),
                Arguments.of("header not base64url", "%%%." + b64(PAYLOAD) + ".sig"),
                Arguments.of("empty header part", "." + b64(PAYLOAD) + ".sig"),
                Arguments.of("crit extension", jwt("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", PAYLOAD)),
                Arguments.of("kid a number", jwt("{\"alg\":\"HS256\",\"kid\":7}", PAYLOAD)),
                Arguments.of("kid null", jwt("{\"alg\":\"HS256\",\"kid\":null}", PAYLOAD)),
                Arguments.of("payload an array", jwt(HEADER, "[1,2]")),
                Arguments.of("payload not JSON", jwt(HEADER, "{\"iss\":")),
                Arguments.of("no exp", jwt(HEADER, "{\"iss\":\"acme\",\"sub\":\"alice\"}")),
                Arguments.of("exp null", jwt(HEADER, "{\"iss\":\"acme\",\"sub\":\"alice\",\"exp\":null}")),
                Arguments.of("exp a string", jwt(HEADER, "{\"iss\":\"acme\",\"sub\":\"alice\",\"exp\":\"soon\"}")),
                Arguments.of("no sub", jwt(HEADER, "{\"iss\":\"acme\",\"exp\":4102444800}")),
                Arguments.of("sub null", jwt(HEADER, "{\"iss\":\"acme\",\"sub\":null,\"exp\":4102444800}")),
                Arguments.of("sub a number", jwt(HEADER, "{\"iss\":\"acme\",\"sub\":5,\"exp\":4102444800}")),
                Arguments.of("sub blank", jwt(HEADER, "{\"iss\":\"acme\",\"sub\":\" \",\"exp\":4102444800}")),
                Arguments.of("no iss", jwt(HEADER, "{\"sub\":\"alice\",\"exp\":4102444800}")),
                Arguments.of("iss an array", jwt(HEADER, "{\"iss\":[\"acme\"],\"sub\":\"alice\",\"exp\":4102444800}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileShapesAre401MalformedJwt(String why, String jwt) {
        Problem refused = assertThrows(Problem.class, () -> TenantAuthenticator.wellFormed(jwt));
        assertEquals(401, refused.status().getStatusCode());
        assertEquals("malformed-jwt", refused.reason());
    }

    @Test
    void aWellShapedTokenPassesToVerification() {
        assertDoesNotThrow(() -> TenantAuthenticator.wellFormed(jwt(HEADER, PAYLOAD)));
    }

    public static String jwt(String header, String payload) {
        return b64(header) + "." + b64(payload) + ".c2ln";
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
