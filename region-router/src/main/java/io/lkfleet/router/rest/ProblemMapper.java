package io.lkfleet.router.rest;

import io.lkfleet.common.contract.Problems;
import io.lkfleet.common.contract.Reason;
import io.lkfleet.router.config.RouterConfig;
import io.lkfleet.routing.Refusal;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place router refusals and failures become RFC 9457 problem+json of lkfleet's one scheme ({@link Problems}). */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private final RouterConfig config;

    public ProblemMapper(RouterConfig config) {
        this.config = config;
    }

    @ServerExceptionMapper
    public Response refusal(Refusal refusal) {
        Map<String, Object> body = Problems.document(refusal.reason(), refusal.status().getStatusCode(),
                refusal.status().getReasonPhrase(), refusal.getMessage());
        if (refusal.region() != null) {
            body.put("region", refusal.region());
        }
        if (refusal.node() != null) {
            body.put("node_id", refusal.node());
        }
        Response.ResponseBuilder response = Response.status(refusal.status()).type(Problems.MEDIA_TYPE).entity(body);
        if (refusal.status() == Response.Status.SERVICE_UNAVAILABLE
                || refusal.status() == Response.Status.TOO_MANY_REQUESTS) {
            response.header("Retry-After", config.retryAfterSeconds());
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        return refusal(new Refusal(Response.Status.fromStatusCode(status.getStatusCode()),
                status.getReasonPhrase().toLowerCase().replace(' ', '-'), status.getReasonPhrase()));
    }

    /** lkfleet's Redis (or a region's LiveKit Redis) did not answer in time: fail closed, fast. */
    @ServerExceptionMapper(priority = 5000)
    public Response unavailable(RuntimeException e) {
        LOG.warnf("routing failed: %s", e.toString());
        return refusal(new Refusal(Reason.STATE_UNAVAILABLE, "routing state cannot be read right now; retry shortly"));
    }

}
