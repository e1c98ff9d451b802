package io.lkfleet.token.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
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
import java.util.function.Function;

/**
 * The tenants file's content (see README), checked as a whole: any tenant that is wrong refuses the
 * file, with the offending tenants named. Beyond each tenant's own fields: namespaces are non-empty
 * and no tenant's is a prefix of another's (else one tenant's rooms would be the other's too), user-JWT
 * issuers are unique, and default grants are never privileged (a user JWT gets the defaults).
 */
final class TenantsFile {
    private TenantsFile() {
    }

    /**
     * @param secrets looks up the value of a config property or env variable by name (HS256 secrets)
     * @throws IllegalArgumentException what is wrong, naming the tenants
     */
    static Map<String, Tenant> parse(JsonNode root, Function<String, Optional<String>> secrets) {
        Map<String, Tenant> parsed = new LinkedHashMap<>();
        root.path("tenants").fields().forEachRemaining(e -> parsed.put(e.getKey(), tenant(e.getKey(), e.getValue(),
                secrets)));
        List<Tenant> all = List.copyOf(parsed.values());
        Set<String> issuers = new LinkedHashSet<>();
        for (int i = 0; i < all.size(); i++) {
            Tenant tenant = all.get(i);
            if (tenant.userJwt().isPresent() && !issuers.add(tenant.userJwt().get().issuer())) {
                throw new IllegalArgumentException("tenant " + tenant.id() + ": user-jwt-issuer "
                        + tenant.userJwt().get().issuer() + " is another tenant's too");
            }
            for (Tenant other : all.subList(i + 1, all.size())) {
                if (tenant.namespace().startsWith(other.namespace()) || other.namespace().startsWith(tenant.namespace())) {
                    throw new IllegalArgumentException("tenants " + other.id() + " and " + tenant.id()
                            + ": namespaces '" + other.namespace() + "' and '" + tenant.namespace()
                            + "' overlap (one is a prefix of the other), so rooms of one would be the other's");
                }
            }
        }
        return Map.copyOf(parsed);
    }

    private static Tenant tenant(String id, JsonNode node, Function<String, Optional<String>> secrets) {
        String namespace = require(node, "namespace", id).asText();
        if (namespace.isBlank()) {
            throw new IllegalArgumentException("tenant " + id + ": namespace is empty, so every room would be its");
        }
        Set<Grant> grants = grants(node.path("grants"), id);
        Set<Grant> defaults = node.has("default-grants") ? grants(node.path("default-grants"), id)
                : Set.copyOf(grants.stream().filter(g -> !g.privileged()).toList());
        if (!grants.containsAll(defaults)) {
            throw new IllegalArgumentException("tenant " + id + ": default-grants must be a subset of grants");
        }
        if (defaults.stream().anyMatch(Grant::privileged)) {
            throw new IllegalArgumentException("tenant " + id + ": default-grants must not hold hidden, recorder or"
                    + " room-admin (a user JWT gets the defaults); a backend asks for them explicitly");
        }
        List<Tenant.ApiKey> keys = new ArrayList<>();
        node.path("api-keys").forEach(k -> keys.add(new Tenant.ApiKey(
                HexFormat.of().parseHex(require(k, "sha256", id).asText()),
                k.has("not-after") ? Optional.of(Instant.parse(k.get("not-after").asText())) : Optional.empty())));
        return new Tenant(id, namespace, strings(node.path("regions")), strings(node.path("jurisdictions")), grants,
                defaults, Duration.ofSeconds(node.path("max-ttl-seconds").asLong(3600)),
                node.path("rate-per-second").asInt(100), List.copyOf(keys), userJwt(id, node, grants, secrets));
    }

    private static Optional<UserJwtPolicy> userJwt(String id, JsonNode node, Set<Grant> grants,
            Function<String, Optional<String>> secrets) {
        Optional<String> secret = node.has("user-jwt-secret-key")
                ? Optional.of(secrets.apply(node.get("user-jwt-secret-key").asText())
                        .orElseThrow(() -> new IllegalArgumentException("tenant " + id + ": secret "
                                + node.get("user-jwt-secret-key").asText() + " is not configured")))
                : Optional.empty();
        Optional<URI> jwks = node.has("user-jwt-jwks-url")
                ? Optional.of(jwksUrl(id, node.get("user-jwt-jwks-url").asText()))
                : Optional.empty();
        if (secret.isEmpty() && jwks.isEmpty()) {
            node.fieldNames().forEachRemaining(field -> {
                if (field.startsWith("user-jwt-")) {
                    throw new IllegalArgumentException("tenant " + id + ": " + field
                            + " needs user-jwt-secret-key or user-jwt-jwks-url");
                }
            });
            return Optional.empty();
        }
        Optional<String> grantsClaim = text(node, "user-jwt-grants-claim");
        Set<Grant> claimable = grants(node.path("user-jwt-claimable-grants"), id);
        if (grantsClaim.isPresent() != !claimable.isEmpty()) {
            throw new IllegalArgumentException("tenant " + id
                    + ": user-jwt-grants-claim and user-jwt-claimable-grants go together");
        }
        if (!grants.containsAll(claimable)) {
            throw new IllegalArgumentException("tenant " + id + ": user-jwt-claimable-grants must be a subset of grants");
        }
        return Optional.of(new UserJwtPolicy(node.path("user-jwt-issuer").asText(id), secret, jwks,
                text(node, "user-jwt-audience"), grantsClaim, claimable, text(node, "user-jwt-room-claim")));
    }

    private static Optional<String> text(JsonNode node, String field) {
        return Optional.ofNullable(node.get(field)).map(JsonNode::asText).filter(v -> !v.isBlank());
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
