package io.lkfleet.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.fleet.FleetConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Stands in for webhook-ingest in this module's tests: the test fleet posts LiveKit's webhooks to
 * the application under test, and this relays each body onto the topic in webhook-ingest's format
 * (region named by the JWT's issuer). It does not verify signatures: that is webhook-ingest's job.
 */
@Path("/webhook")
@ApplicationScoped
public class TestWebhookRelay {
    private final FleetConfig fleet;
    private final ObjectMapper json;
    private final KafkaProducer<String, String> producer;

    public TestWebhookRelay(FleetConfig fleet, ObjectMapper json,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.fleet = fleet;
        this.json = json;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response relay(@HeaderParam("Authorization") String jwt, String body) throws Exception {
        String issuer = json.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).path("iss").asText();
        String region = fleet.regions().entrySet().stream().filter(r -> r.getValue().apiKey().equals(issuer))
                .map(java.util.Map.Entry::getKey).findFirst().orElseThrow();
        JsonNode event = json.readTree(body);
        String room = event.path("room").path("name").asText(event.path("egressInfo").path("roomName").asText());
        WebhookConsumerTest.send(producer, region,
                new WebhookEvents.Event(room, event.path("id").asText(), event.path("event").asText(), body))
                .get(10, TimeUnit.SECONDS);
        return Response.ok().build();
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
