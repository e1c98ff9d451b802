package io.lkfleet.token.tenant;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts an {@link IdentityProvider} and gives token-service a tenants file whose tenant "initech"
 * trusts it (JWKS URL, its issuer, audience "lkfleet"), and a tenant "hooli" whose provider is
 * unreachable; the test gets the provider injected.
 */
public class IdentityProviderResource implements QuarkusTestResourceLifecycleManager {
    /** Issuer of tenant "hooli", whose identity provider never answers. */
    public static final String UNREACHABLE_ISSUER = "https://idp.hooli.test/";

    private IdentityProvider provider;

    @Override
    public Map<String, String> start() {
        provider = new IdentityProvider();
        Path tenants = Path.of("target", "jwks-tenants.yaml").toAbsolutePath();
        try {
            Files.writeString(tenants, """
                    tenants:
                      initech:
                        namespace: initech-
                        grants: [publish, subscribe]
                        user-jwt-jwks-url: %s
                        user-jwt-issuer: %s
                        user-jwt-audience: lkfleet
                      hooli:
                        namespace: hooli-
                        grants: [subscribe]
                        user-jwt-jwks-url: http://127.0.0.1:1/jwks.json
                        user-jwt-issuer: %s
                    """.formatted(provider.jwksUrl(), IdentityProvider.ISSUER, UNREACHABLE_ISSUER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("tokens.tenants-file", tenants.toString(), "tokens.jwks.min-refetch-interval", "1s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(provider, new TestInjector.MatchesType(IdentityProvider.class));
    }

    @Override
    public void stop() {
        provider.close();
    }
}
