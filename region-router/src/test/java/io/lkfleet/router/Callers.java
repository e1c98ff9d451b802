package io.lkfleet.router;

import static io.restassured.RestAssured.given;

import io.lkfleet.local.LocalConfig;
import io.lkfleet.local.testing.TestFleet;
import io.restassured.specification.RequestSpecification;

/** Requests carrying region-router's credentials as the test fleet configured them. */
final class Callers {
    private Callers() {
    }

    /** An operator: the admin token. */
    static RequestSpecification admin() {
        return given().auth().oauth2(credentials().routerAdminToken());
    }

    /** token-service: the caller token of {@code /v1/route}. */
    static RequestSpecification tokenService() {
        return given().auth().oauth2(credentials().routerCallerToken());
    }

    private static LocalConfig.Credentials credentials() {
        return TestFleet.get().layout().local().credentials();
    }
}
