package io.lkfleet.capacity.rest;

import io.lkfleet.common.contract.Problems;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal as RFC 9457 problem+json of lkfleet's one scheme ({@link Problems}). */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response map(CapacityProblem problem) {
        CapacityProblem.Reason reason = problem.reason();
        return Response.status(reason.status())
                .type(Problems.MEDIA_TYPE)
                .entity(Problems.document(reason.slug(), reason.status(), reason.title(), problem.getMessage()))
                .build();
    }
}
