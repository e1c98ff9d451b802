package io.lkfleet.capacity.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.capacity.config.CapacityConfig;
import io.lkfleet.capacity.rest.CapacityProblem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What the fleet console (static page at {@code /console/}) needs besides the load model: the
 * alerts Prometheus is firing, and the operator's admin actions (drain, book), forwarded to
 * region-router with the credential the operator typed. The credential is passed through, never
 * kept or logged: region-router alone decides whether it is good.
 */
@Path("/console/api")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleResource {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final CapacityConfig.Console config;
    private final ObjectMapper json;

    public ConsoleResource(CapacityConfig config, ObjectMapper json) {
        this.config = config.console();
        this.json = json;
    }

    /** {@code alerts} as Prometheus's {@code /api/v1/alerts} lists them; {@code error} when it cannot say. */
    @RegisterForReflection
    public record Alerts(String prometheus, JsonNode alerts, String error) {
    }

    @GET
    @Path("/alerts")
    public Alerts alerts() {
        if (config.prometheusUrl().isEmpty()) {
            return new Alerts(null, null, "no Prometheus configured (capacity.console.prometheus-url)");
        }
        String base = config.prometheusUrl().get();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts"))
                    .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new Alerts(base, null, "Prometheus answered " + response.statusCode());
            }
            return new Alerts(base, json.readTree(response.body()).path("data").path("alerts"), null);
        } catch (IOException e) {
            return new Alerts(base, null, "Prometheus unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Alerts(base, null, "interrupted");
        }
    }

    @POST
    @Path("/nodes/{nodeId}/drain")
    public Response drain(@PathParam("nodeId") String nodeId, @HeaderParam(HttpHeaders.AUTHORIZATION) String credential) {
        return forward("POST", "/v1/admin/nodes/" + segment(nodeId) + "/drain", null, credential);
    }

    @DELETE
    @Path("/nodes/{nodeId}/drain")
    public Response undrain(@PathParam("nodeId") String nodeId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String credential) {
        return forward("DELETE", "/v1/admin/nodes/" + segment(nodeId) + "/drain", null, credential);
    }

    /** A booking as region-router's {@code POST /v1/scheduled-rooms} takes it. */
    @POST
    @Path("/scheduled-rooms")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response book(String body, @HeaderParam(HttpHeaders.AUTHORIZATION) String credential) {
        return forward("POST", "/v1/scheduled-rooms", body, credential);
    }

    @DELETE
    @Path("/scheduled-rooms/{region}/{room}")
    public Response release(@PathParam("region") String region, @PathParam("room") String room,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String credential) {
        return forward("DELETE", "/v1/scheduled-rooms/" + segment(region) + "/" + segment(room), null, credential);
    }

    /** region-router's answer, status and body unchanged (its problem+json included). */
    private Response forward(String method, String path, String body, String credential) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.routerUrl() + path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", MediaType.APPLICATION_JSON);
        }
        if (credential != null && !credential.isBlank()) {
            request.header(HttpHeaders.AUTHORIZATION, credential);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Response.ResponseBuilder answer = Response.status(response.statusCode());
            response.headers().firstValue("Content-Type").ifPresent(answer::type);
            return response.body().isEmpty() ? answer.build() : answer.entity(response.body()).build();
        } catch (IOException e) {
            throw new CapacityProblem(CapacityProblem.Reason.ROUTER_UNREACHABLE, "region-router at "
                    + config.routerUrl() + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CapacityProblem(CapacityProblem.Reason.ROUTER_UNREACHABLE, "interrupted");
        }
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
