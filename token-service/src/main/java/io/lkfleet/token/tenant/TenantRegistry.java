package io.lkfleet.token.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lkfleet.token.config.TokenServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The tenants, read from a YAML file and re-read when it changes (no restart). A file that does
 * not parse is refused as a whole and the tenants already loaded stay in force.
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
            tenants = parse(YAML.readTree(file.toFile()));
            loadedVersion = version;
            LOG.infof("loaded %d tenants from %s", tenants.size(), file);
        } catch (IOException | IllegalArgumentException e) {
            LOG.errorf("tenants file %s not loaded (keeping %d tenants): %s", file, tenants.size(), e.getMessage());
        }
    }

    private Map<String, Tenant> parse(JsonNode root) {
        Map<String, Tenant> parsed = new LinkedHashMap<>();
        root.path("tenants").fields().forEachRemaining(e -> parsed.put(e.getKey(), tenant(e.getKey(), e.getValue())));
        Set<String> issuers = new LinkedHashSet<>();
        for (Tenant tenant : parsed.values()) {
            if (tenant.userJwt().isPresent() && !issuers.add(tenant.userJwt().get().issuer())) {
                throw new IllegalArgumentException("tenant " + tenant.id() + ": user-jwt-issuer "
                        + tenant.userJwt().get().issuer() + " is another tenant's too");
            }
        }
        return Map.copyOf(parsed);
    }

    private Tenant tenant(String id, JsonNode node) {
        String namespace = require(node, "namespace", id).asText();
        Set<Grant> grants = grants(node.path("grants"), id);
        Set<Grant> defaults = node.has("default-grants") ? grants(node.path("default-grants"), id) : grants;
        if (!grants.containsAll(defaults)) {
            throw new IllegalArgumentException("tenant " + id + ": default-grants must be a subset of grants");
        }
        List<Tenant.ApiKey> keys = new ArrayList<>();
        node.path("api-keys").forEach(k -> keys.add(new Tenant.ApiKey(
                HexFormat.of().parseHex(require(k, "sha256", id).asText()),
                k.has("not-after") ? Optional.of(Instant.parse(k.get("not-after").asText())) : Optional.empty())));
        return new Tenant(id, namespace, strings(node.path("regions")), strings(node.path("jurisdictions")), grants,
                defaults, Duration.ofSeconds(node.path("max-ttl-seconds").asLong(3600)),
                node.path("rate-per-second").asInt(100), List.copyOf(keys), userJwt(id, node));
    }

    private Optional<UserJwtPolicy> userJwt(String id, JsonNode node) {
        Optional<String> secret = node.has("user-jwt-secret-key")
                ? Optional.of(config.getOptionalValue(node.get("user-jwt-secret-key").asText(), String.class)
                        .orElseThrow(() -> new IllegalArgumentException("tenant " + id + ": secret "
                                + node.get("user-jwt-secret-key").asText() + " is not configured")))
                : Optional.empty();
        Optional<URI> jwks = node.has("user-jwt-jwks-url")
                ? Optional.of(jwksUrl(id, node.get("user-jwt-jwks-url").asText()))
                : Optional.empty();
        if (secret.isEmpty() && jwks.isEmpty()) {
            if (node.has("user-jwt-issuer") || node.has("user-jwt-audience")) {
                throw new IllegalArgumentException("tenant " + id
                        + ": user-jwt-issuer/-audience need user-jwt-secret-key or user-jwt-jwks-url");
            }
            return Optional.empty();
        }
        return Optional.of(new UserJwtPolicy(node.path("user-jwt-issuer").asText(id), secret, jwks,
                Optional.ofNullable(node.get("user-jwt-audience")).map(JsonNode::asText)));
    }

    /** Keys come over https; plain http only from this machine (a sidecar or a test). */
    private static URI jwksUrl(String tenant, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("tenant " + tenant + ": user-jwt-jwks-url is not a URL");
        }
        boolean loopback = uri.getHost() != null
                && (uri.getHost().equals("localhost") || uri.getHost().startsWith("127.") || uri.getHost().equals("[::1]"));
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback))) {
            throw new IllegalArgumentException("tenant " + tenant + ": user-jwt-jwks-url must be https (http only on loopback)");
        }
        return uri;
    }

    private static Set<Grant> grants(JsonNode list, String tenant) {
        Set<Grant> grants = EnumSet.noneOf(Grant.class);
        list.forEach(g -> grants.add(Grant.of(g.asText())
                .orElseThrow(() -> new IllegalArgumentException("tenant " + tenant + ": unknown grant " + g.asText()))));
        return Set.copyOf(grants);
    }

    private static Set<String> strings(JsonNode list) {
        Set<String> values = new LinkedHashSet<>();
        list.forEach(v -> values.add(v.asText()));
        return Set.copyOf(values);
    }

    private static JsonNode require(JsonNode node, String field, String tenant) {
        if (!node.hasNonNull(field)) {
            throw new IllegalArgumentException("tenant " + tenant + ": '" + field + "' is missing");
        }
        return node.get(field);
    }
}
