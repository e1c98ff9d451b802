package io.lkfleet.ingest;

import io.lkfleet.ingest.health.DurabilityReadiness;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.Map;

/** {@code /q/health/ready} as a load balancer sees it: the status, and the durability check's details. */
record Readiness(int status, Map<String, Object> details) {

    static Readiness now() {
        Response response = RestAssured.get("/q/health/ready");
        return new Readiness(response.statusCode(),
                response.jsonPath().getMap("checks.find { it.name == '" + DurabilityReadiness.NAME + "' }.data"));
    }

    Object kafka() {
        return details.get("kafka");
    }

    Object spool() {
        return details.get("spool");
    }
}
