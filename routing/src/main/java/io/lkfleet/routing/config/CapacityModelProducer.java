package io.lkfleet.routing.config;

import io.lkfleet.common.capacity.CapacityAssumptions;
import io.lkfleet.common.capacity.CapacityModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The one capacity model of the router, priced with the configured assumptions ({@code fleet.capacity.*}). */
public class CapacityModelProducer {

    @Produces
    @ApplicationScoped
    CapacityModel model(CapacityAssumptions assumptions) {
        return new CapacityModel(assumptions);
    }
}
