package io.lkfleet.local.testing;

import io.lkfleet.local.LocalFleet;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet of one test JVM: started once on first use (on free ports, with fresh random API
 * secrets and credentials, in a run directory under {@code target/}) and stopped when the JVM exits.
 */
public final class TestFleet {
    private static final Pattern SECRET_REFERENCE = Pattern.compile("\\$\\{([A-Z0-9_]+_(?:API_SECRET|TOKEN|PASSWORD))}");
    private static LocalFleet fleet;

    private TestFleet() {
    }

    /**
     * The shared fleet; {@code webhookUrls} and {@code services} apply only to the call that starts
     * it (later calls get the running fleet).
     */
    public static synchronized LocalFleet get(List<String> webhookUrls, List<String> services) {
        return get(webhookUrls, services, Map.of());
    }

    /** As {@link #get(List, List)}, with fleet configuration that wins over the fleet file. */
    public static synchronized LocalFleet get(List<String> webhookUrls, List<String> services,
            Map<String, String> config) {
        return get(webhookUrls, services, config, options -> { });
    }

    /** As {@link #get(List, List, Map)}; {@code more} adds options (e.g. Prometheus and the join probe). */
    public static synchronized LocalFleet get(List<String> webhookUrls, List<String> services,
            Map<String, String> config, Consumer<LocalFleet.Options> more) {
        if (fleet == null) {
            LocalFleet.Options options = new LocalFleet.Options();
            Map<String, String> overrides = new HashMap<>(randomSecrets(options.fleetFile()));
            overrides.putAll(config);
            options.freePorts()
                    // unique per instance: a Quarkus test profile reloads this class in a new class
                    // loader, whose fleet must not take the first one's run directory (and kill it)
                    .runDir(Path.of("target", "fleet-" + ProcessHandle.current().pid() + "-"
                            + Integer.toHexString(System.identityHashCode(TestFleet.class))))
                    .overrides(overrides)
                    .webhookUrls(webhookUrls)
                    .services(services);
            more.accept(options);
            fleet = LocalFleet.start(options);
            LocalFleet started = fleet;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-fleet-shutdown"));
        }
        return fleet;
    }

    /** The shared fleet, which must have been started. */
    public static synchronized LocalFleet get() {
        if (fleet == null) {
            throw new IllegalStateException("the test fleet has not been started; use LocalFleetResource or TestFleet.get(...)");
        }
        return fleet;
    }

    /** A random secret for every {@code ${..._API_SECRET}}, {@code _TOKEN} and {@code _PASSWORD} the fleet file references. */
    public static Map<String, String> randomSecrets(Path fleetFile) {
        Map<String, String> secrets = new HashMap<>();
        try {
            Matcher m = SECRET_REFERENCE.matcher(java.nio.file.Files.readString(fleetFile));
            SecureRandom random = new SecureRandom();
            while (m.find()) {
                byte[] bytes = new byte[30];
                random.nextBytes(bytes);
                secrets.put(m.group(1), Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + fleetFile, e);
        }
        return secrets;
    }
}
