package io.lkfleet.token;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** Gives the application a writable copy of the test tenants, so a test can change it live. */
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
    public void stop() {
    }
}
