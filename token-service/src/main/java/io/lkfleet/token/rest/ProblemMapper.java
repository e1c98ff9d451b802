package io.lkfleet.token.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lkfleet.common.contract.Problems;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place refusals become problem+json (RFC 9457). */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(Problem problem) {
        Map<String, Object> body = Problems.document(problem.reason(), problem.status().getStatusCode(),
                problem.status().getReasonPhrase(), problem.getMessage());
        problem.field().ifPresent(f -> body.put("field", f));
        Response.ResponseBuilder response = Response.status(problem.status()).type(Problems.MEDIA_TYPE).entity(body);
        problem.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", s));
        return response.build();
    }

    /** Unparseable JSON: say so without echoing the body. */
    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return problem(new Problem(Response.Status.BAD_REQUEST, "malformed-json",
                "the request body is not valid JSON for a token request (line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + ")"));
    }

    /** Wrong method, media type, unknown path: keep the status, answer as a problem. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("request failed", e);
        }
        return problem(new Problem(status, status.getReasonPhrase().toLowerCase().replace(' ', '-'),
                status.getReasonPhrase()));
    }
}
