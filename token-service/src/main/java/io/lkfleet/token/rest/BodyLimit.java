package io.lkfleet.token.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lkfleet.common.contract.Problems;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body announced larger than {@code quarkus.http.limits.max-body-size} is refused by its
 * Content-Length before a byte of it is read, as a 413 problem {@code body-too-large}: Quarkus's
 * own check, which would come next, answers with no body. A chunked body that grows past the limit
 * while being read still gets Quarkus's bare 413.
 */
@ApplicationScoped
public class BodyLimit {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Compiled once: String.matches compiled it again for every request (JFR on the token path, issue 15). */
    private static final Pattern DECIMAL_LENGTH = Pattern.compile("\\d{1,18}");

    void install(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> limit) {
        if (limit.isEmpty()) {
            return;
        }
        long max = limit.get().asLongValue();
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length == null || !DECIMAL_LENGTH.matcher(length).matches() || Long.parseLong(length) <= max) {
                context.next(); // absent or malformed lengths are the HTTP codec's and Quarkus's to refuse
                return;
            }
            Problem problem = new Problem(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body-too-large",
                    "the request body is larger than " + max + " bytes");
            try {
                context.response().setStatusCode(problem.status().getStatusCode())
                        .putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE)
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(JSON.writeValueAsString(ProblemMapper.body(problem)))
                        .onComplete(done -> context.request().connection().close());
            } catch (JsonProcessingException e) {
                context.fail(e);
            }
        });
    }
}
