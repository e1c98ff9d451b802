package io.lkfleet.common.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The wire format of {@code fleet.decisions} version 1, as the two sample records beside this test
 * spell it: a consumer reads them (unknown fields ignored), and {@link DecisionRecord} writes the
 * same names. region-router's {@code RouteResourceTest} checks what its publisher really writes
 * against {@link DecisionRecord}; e2e's {@code ScenariosIT} reads the topic with it.
 */
class DecisionRecordContractTests {
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode sample(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(name)) {
            return json.readTree(in);
        }
    }

    @Test
    void consumerReadsAVersion1RefusalAndIgnoresFieldsItDoesNotKnow() throws IOException {
        DecisionRecord refused = json.treeToValue(sample("decision-v1-refused.json"), DecisionRecord.class);
        assertEquals(1, refused.version());
        assertFalse(refused.admitted());
        assertEquals(Reason.ROOM_EXCEEDS_NODE, Reason.ofSlug(refused.reason()).orElseThrow());
        assertEquals("standup", refused.room());
        assertEquals("alice", refused.identity());
        assertEquals("acme", refused.tenant());
        assertNull(refused.node());
        assertEquals(-1, refused.projectedSubscriptions());
        assertTrue(refused.detail().contains("would not fit"));
    }

    @Test
    void consumerReadsAVersion1Admission() throws IOException {
        DecisionRecord admitted = json.treeToValue(sample("decision-v1-admitted.json"), DecisionRecord.class);
        assertTrue(admitted.admitted());
        assertEquals("new-room", admitted.reason());
        assertEquals("ND_a", admitted.node());
        assertEquals(2, admitted.projectedSubscriptions());
        assertEquals(650, admitted.limitSubscriptions());
        assertEquals("measured", admitted.latencySource());
        assertNull(admitted.detail());
    }

    @Test
    void writerSpellsEveryFieldAsVersion1Does() throws IOException {
        JsonNode sample = sample("decision-v1-admitted.json");
        JsonNode written = json.readTree(json.writeValueAsString(json.treeToValue(sample, DecisionRecord.class)));
        assertEquals(sample, written, "a record round-trips to the same document");
        Set<String> names = new HashSet<>();
        written.fieldNames().forEachRemaining(names::add);
        assertEquals(Set.of("version", "at", "room", "outcome", "reason", "region", "node", "tenant", "identity",
                "role", "projected_subscriptions", "limit_subscriptions", "latency_source"), names);
    }
}
