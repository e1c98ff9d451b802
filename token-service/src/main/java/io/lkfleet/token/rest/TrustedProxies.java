package io.lkfleet.token.rest;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Forwarded headers decide the client network the router learns RTTs for, so they count only from
 * proxies named in {@code quarkus.http.proxy.trusted-proxies}. Quarkus trusts every peer when that
 * list is empty; token-service refuses to start with forwarding on and no list, and with the
 * {@code Forwarded} header allowed (proxies such as ingress-nginx pass a client's own one through).
 */
@Startup
@ApplicationScoped
public class TrustedProxies {

    public TrustedProxies(
            @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false")
            boolean forwarding,
            @ConfigProperty(name = "quarkus.http.proxy.allow-forwarded", defaultValue = "false")
            boolean forwardedHeader,
            @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<List<String>> trusted) {
        check(forwarding, forwardedHeader, trusted);
    }

    static void check(boolean forwarding, boolean forwardedHeader, Optional<List<String>> trusted) {
        if (!forwarding) {
            return;
        }
        if (trusted.map(List::isEmpty).orElse(true)) {
            throw new IllegalStateException("quarkus.http.proxy.proxy-address-forwarding is on but "
                    + "quarkus.http.proxy.trusted-proxies is empty: any caller could set its client address. "
                    + "List the proxies' addresses (IP or CIDR), or turn forwarding off");
        }
        if (forwardedHeader) {
            throw new IllegalStateException("quarkus.http.proxy.allow-forwarded must stay false: a proxy that "
                    + "sets X-Forwarded-For may pass a client's own Forwarded header through, and Quarkus would prefer it");
        }
    }
}
