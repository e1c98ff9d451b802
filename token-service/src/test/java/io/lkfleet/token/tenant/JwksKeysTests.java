package io.lkfleet.token.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lkfleet.token.config.TokenServiceConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Key-set fetches against real HTTP identity providers, one of which drips its answer. */
class JwksKeysTests {

    @Test
    void aDrippingProviderHoldsOnlyItsOwnTenantsLoginsAndIsFetchedOnce() throws Exception {
        try (IdentityProvider slow = new IdentityProvider(); IdentityProvider fast = new IdentityProvider()) {
            slow.drip();
            // a deadline far beyond the test: the slow fetch can only end when the provider stops
            JwksKeys keys = new JwksKeys(jwks(Duration.ofSeconds(120)));
            List<CompletableFuture<Optional<JwksKeys.Jwk>>> slowLogins = IntStream.range(0, 3)
                    .mapToObj(i -> keys.key(slow.jwksUrl(), Optional.of("rsa-1"))).toList();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> slow.fetches() == 1);

            Optional<JwksKeys.Jwk> fastKey = keys.key(fast.jwksUrl(), Optional.of("rsa-1")).get(30, TimeUnit.SECONDS);

            assertEquals(fast.key("rsa-1").getPublic(), fastKey.orElseThrow().key(), "the fast provider's key");
            assertFalse(slowLogins.stream().anyMatch(CompletableFuture::isDone),
                    "the slow provider's logins still wait for its fetch while the fast one was served");
            slow.stopDripping();
            for (CompletableFuture<Optional<JwksKeys.Jwk>> login : slowLogins) {
                CompletionException failed = assertThrows(CompletionException.class, login::join);
                assertInstanceOf(JwksKeys.KeysUnavailableException.class, failed.getCause());
            }
            assertEquals(1, slow.fetches(), "three waiting logins shared one fetch");
        }
    }

    @Test
    @Timeout(60) // without a deadline for the whole body this fetch would never end
    void aBodyThatNeverEndsIsCutOffAtTheFetchTimeout() {
        try (IdentityProvider slow = new IdentityProvider()) {
            slow.drip();
            JwksKeys keys = new JwksKeys(jwks(Duration.ofMillis(500)));
            CompletionException failed = assertThrows(CompletionException.class,
                    () -> keys.key(slow.jwksUrl(), Optional.of("rsa-1")).join());
            assertInstanceOf(JwksKeys.KeysUnavailableException.class, failed.getCause());
            slow.stopDripping();
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> keys.key(slow.jwksUrl(), Optional.of("rsa-1")).join().isPresent());
        }
    }

    private static TokenServiceConfig.Jwks jwks(Duration fetchTimeout) {
        return new TokenServiceConfig.Jwks() {
            @Override
            public Duration maxAge() {
                return Duration.ofMinutes(10);
            }

            @Override
            public Duration minRefetchInterval() {
                return Duration.ZERO;
            }

            @Override
            public Duration fetchTimeout() {
                return fetchTimeout;
            }
        };
    }
}
