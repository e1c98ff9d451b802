package io.lkfleet.ingest;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The service without its disk spool: Kafka's outages reach LiveKit as 503. */
public class SpoolOffProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("ingest.spool.enabled", "false");
    }
}
