package io.lkfleet.token.rest;

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
        Response.ResponseBuilder response = Response.status(problem.status()).type(Problems.MEDIA_TYPE)
                .entity(body(problem));
        problem.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", s));
        return response.build();
    }

    /** The problem+json document of a refusal. */
    static Map<String, Object> body(Problem problem) {
        Map<String, Object> body = Problems.document(problem.reason(), problem.status().getStatusCode(),
                problem.status().getReasonPhrase(), problem.getMessage());
        problem.field().ifPresent(f -> body.put("field", f));
        return body;
    }

    /** Wrong method, media type, unknown path: keep the status, answer as a problem. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("request failed", e);
        }
        return problem(new Problem(status, status.getReasonPhrase().toLowerCase().replace(' ', '-'),
                status.getReasonPhrase()));
    }
}
