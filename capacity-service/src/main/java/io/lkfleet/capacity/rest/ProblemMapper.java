package io.lkfleet.capacity.rest;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal as RFC 9457 problem+json. */
public class ProblemMapper {
    public static final String PROBLEM_JSON = "application/problem+json";

    /** The problem document. */
    @RegisterForReflection
    public record Problem(String type, String title, int status, String detail) {
    }

    @ServerExceptionMapper
    public Response map(CapacityProblem problem) {
        CapacityProblem.Reason reason = problem.reason();
        return Response.status(reason.status())
                .type(PROBLEM_JSON)
                .entity(new Problem(reason.type(), reason.title(), reason.status(), problem.getMessage()))
                .build();
    }
}
