package io.lkfleet.token.rest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tokens.browser-origins} entries that could never match a browser's Origin stop the start. */
class BrowserOriginsCheckTests {

    @ParameterizedTest
    @ValueSource(strings = {"https://meet.example.com", "http://localhost:3000", "http://127.0.0.1:8080",
            "https://[::1]:8443", "/https://[a-z]+[.]example[.]com/"})
    void originsAsBrowsersSendThemAndPatternsStart(String origin) {
        assertDoesNotThrow(() -> BrowserOrigins.check(List.of(origin)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://meet.example.com/", "https://meet.example.com/app", "meet.example.com",
            "https://meet.example.com?x=1", "https://user@meet.example.com", "ftp://meet.example.com", "/", "//", ""})
    void anythingElseStopsTheStartNamingTheEntry(String origin) {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> BrowserOrigins.check(List.of("https://ok.example.com", origin)));
        assertTrue(refused.getMessage().contains("'" + origin + "'"), refused.getMessage());
    }
}
