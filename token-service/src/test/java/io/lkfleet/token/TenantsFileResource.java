package io.lkfleet.token;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Gives the application a writable copy of the test tenants, so a test can change it live. Started
 * after the fleet's resource (whose configuration names the dev fleet's tenants file), so these
 * tenants are the ones the application reads.
 */
public class TenantsFileResource implements QuarkusTestResourceLifecycleManager {
    static final Path TENANTS = Path.of("target", "test-tenants.yaml").toAbsolutePath();

    @Override
    public Map<String, String> start() {
        try {
            Files.copy(Path.of("src/test/resources/tenants.yaml"), TENANTS, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("tokens.tenants-file", TENANTS.toString(), "tokens.tenants-reload-interval", "100ms");
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void stop() {
    }
}
