package io.lkfleet.token.tenant;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lkfleet.token.config.TokenServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The tenants, read from a YAML file and re-read when it changes (no restart). A file that does
 * not parse or breaks a rule of {@link TenantsFile} is refused as a whole, the error is logged naming
 * the tenants, and the tenants already loaded stay in force.
 */
@ApplicationScoped
public class TenantRegistry {
    private static final Logger LOG = Logger.getLogger(TenantRegistry.class);
    private static final YAMLMapper YAML = new YAMLMapper();

    private final Path file;
    private final Duration reloadInterval;
    private final Config config;
    private volatile Map<String, Tenant> tenants = Map.of();
    private volatile FileTime loadedVersion;
    private volatile long nextCheckNanos;

    public TenantRegistry(TokenServiceConfig tokens, Config config) {
        this.file = tokens.tenantsFile();
        this.reloadInterval = tokens.tenantsReloadInterval();
        this.config = config;
        reloadIfChanged();
    }

    public Optional<Tenant> byId(String id) {
        return Optional.ofNullable(current().get(id));
    }

    /** The tenant whose users' JWTs carry this {@code iss}. */
    public Optional<Tenant> byUserJwtIssuer(String issuer) {
        return current().values().stream()
                .filter(t -> t.userJwt().map(p -> p.issuer().equals(issuer)).orElse(false))
                .findFirst();
    }

    /** Every tenant; reloads first when the file changed and the check interval passed. */
    public Map<String, Tenant> current() {
        if (System.nanoTime() >= nextCheckNanos) {
            reloadIfChanged();
        }
        return tenants;
    }

    private synchronized void reloadIfChanged() {
        nextCheckNanos = System.nanoTime() + reloadInterval.toNanos();
        try {
            FileTime version = Files.getLastModifiedTime(file);
            if (version.equals(loadedVersion)) {
                return;
            }
            tenants = TenantsFile.parse(YAML.readTree(file.toFile()),
                    name -> config.getOptionalValue(name, String.class));
            loadedVersion = version;
            LOG.infof("loaded %d tenants from %s", tenants.size(), file);
        } catch (IOException | IllegalArgumentException e) {
            LOG.errorf("tenants file %s not loaded (keeping %d tenants): %s", file, tenants.size(), e.getMessage());
        }
    }
}
