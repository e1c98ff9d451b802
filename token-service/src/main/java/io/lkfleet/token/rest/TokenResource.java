package io.lkfleet.token.rest;

import io.lkfleet.common.contract.RouteDecision;
import io.lkfleet.common.contract.RouteRequest;
import io.lkfleet.common.fleet.FleetConfig;
import io.lkfleet.token.TokenRequest;
import io.lkfleet.token.TokenResponse;
import io.lkfleet.token.config.TokenServiceConfig;
import io.lkfleet.token.mint.TokenMinter;
import io.lkfleet.token.route.Router;
import io.lkfleet.token.tenant.Caller;
import io.lkfleet.token.tenant.Grant;
import io.lkfleet.token.tenant.TenantAuthenticator;
import io.lkfleet.token.tenant.TenantRateLimiter;
import io.lkfleet.token.validation.RequestValidator;
import io.lkfleet.token.validation.TokenRequestReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * LiveKit's standard token endpoint: authenticate the tenant, validate, route and admit (in process,
 * {@link Router}), sign for the routed region. Answers 201 like LiveKit's reference endpoint.
 */
@Path("/v1/token")
public class TokenResource {

    private final TenantAuthenticator authenticator;
    private final TenantRateLimiter rateLimiter;
    private final Router router;
    private final FleetConfig fleet;
    private final TokenServiceConfig config;
    private final MeterRegistry registry;
    private final TokenMeters meters;
    private final Timer latency;

    public TokenResource(TenantAuthenticator authenticator, TenantRateLimiter rateLimiter, Router router,
            FleetConfig fleet, TokenServiceConfig config, MeterRegistry meters) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.router = router;
        this.fleet = fleet;
        this.config = config;
        this.registry = meters;
        this.meters = new TokenMeters(meters);
        this.latency = Timer.builder("lkfleet.tokens.request").description("Token requests, from auth to signature")
                .publishPercentileHistogram().register(meters);
    }

    /**
     * Typed as {@code Uni<TokenResponse>} with its status declared, not {@code Uni<Response>}: the
     * JSON writer is then chosen once at build time instead of looked up (and the writers sorted)
     * for every answer, which the profile of issue 15 showed on the token path.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    public Uni<TokenResponse> token(@Context HttpServerRequest http, byte[] body) {
        long started = System.nanoTime();
        Timer.Sample sample = Timer.start(registry);

        // Quarkus puts a trusted proxy's X-Forwarded-For here, and only a trusted proxy's
        String clientNetwork = ClientNetwork.of(http.remoteAddress().hostAddress());
        if (http.getHeader(HttpHeaders.CONTENT_TYPE) == null) {
            // @Consumes lets a request without any Content-Type through; a token request says what it is
            meters.refused("unknown", "unsupported-media-type");
            sample.stop(latency);
            return Uni.createFrom().failure(new Problem(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type", "send the token request as Content-Type: application/json"));
        }
        return authenticate(http.headers().getAll(HttpHeaders.AUTHORIZATION))
                .onFailure(Problem.class).invoke(refused -> meters.refused("unknown", ((Problem) refused).reason()))
                .chain(caller -> Uni.createFrom().deferred(() -> issue(caller, body, clientNetwork, http, started))
                        .invoke(token -> meters.issued(caller.tenant().id(), token.region()))
                        .onFailure(Problem.class).invoke(refused -> meters.refused(caller.tenant().id(),
                                ((Problem) refused).reason())))
                .onTermination().invoke(() -> sample.stop(latency));
    }

    /** Never blocks, a user JWT whose key set must be fetched included (see TenantAuthenticator). */
    private Uni<Caller> authenticate(List<String> authorizations) {
        if (authorizations.size() > 1) {
            // a proxy's and the client's, or a smuggling attempt: refused rather than one of them picked
            return Uni.createFrom().failure(new Problem(Response.Status.UNAUTHORIZED, "unauthenticated",
                    "send exactly one Authorization header"));
        }
        return authenticator.authenticate(authorizations.isEmpty() ? null : authorizations.get(0));
    }

    /** The body is read only once the caller is known: strangers learn nothing about its shape. */
    private Uni<TokenResponse> issue(Caller caller, byte[] body, String clientNetwork, HttpServerRequest http,
            long started) {
        if (!rateLimiter.tryAcquire(caller.tenant())) {
            throw Problem.rateLimited("tenant " + caller.tenant().id() + " is over its rate of "
                    + caller.tenant().ratePerSecond() + " requests/s", 1);
        }
        TokenRequest request = TokenRequestReader.read(body);
        String identity = identity(caller, request);
        RequestValidator.validate(request, identity, caller, fleet.regions().keySet());
        Set<Grant> grants = RequestValidator.grants(request, caller);
        RouteRequest route = new RouteRequest(caller.tenant().id(), request.roomName(), identity, role(grants),
                request.regionRttMs(), clientNetwork, null, null, caller.tenant().regions(),
                caller.tenant().jurisdictions(), request.expectedParticipants(), request.expectedPublishers());
        long routing = System.nanoTime();
        return router.route(route).map(decision -> {
            long routed = System.nanoTime();
            TokenResponse token = sign(decision, caller, request, identity, grants);
            http.response().putHeader(ServerTiming.HEADER, ServerTiming.of(routed - routing, decision.newRoom(),
                    System.nanoTime() - started));
            return token;
        });
    }

    private TokenResponse sign(RouteDecision route, Caller caller, TokenRequest request, String identity,
            Set<Grant> grants) {
        FleetConfig.Region region = fleet.regions().get(route.region());
        Duration ttl = ttl(request, caller);
        String jwt = TokenMinter.mint(region, request, identity, grants, ttl, route.maxParticipants());
        return new TokenResponse(route.livekitUrl(), jwt, route.region(), Instant.now().plus(ttl).toString());
    }

    /** A user JWT vouches for one identity; an API key lets the backend name it. */
    private static String identity(Caller caller, TokenRequest request) {
        if (caller.vouchedIdentity().isEmpty()) {
            return request.participantIdentity();
        }
        String vouched = caller.vouchedIdentity().get();
        if (request.participantIdentity() != null && !request.participantIdentity().equals(vouched)) {
            throw new Problem(Response.Status.FORBIDDEN, "identity-mismatch",
                    "participant_identity must be the subject of the user JWT");
        }
        return vouched;
    }

    private Duration ttl(TokenRequest request, Caller caller) {
        Duration asked = request.ttlSeconds() == null ? config.defaultTtl() : Duration.ofSeconds(request.ttlSeconds());
        return asked.compareTo(caller.tenant().maxTtl()) > 0 ? caller.tenant().maxTtl() : asked;
    }

    private static String role(Set<Grant> grants) {
        if (grants.contains(Grant.HIDDEN)) {
            return "hidden";
        }
        return grants.contains(Grant.PUBLISH) ? "publisher" : "subscriber";
    }
}
