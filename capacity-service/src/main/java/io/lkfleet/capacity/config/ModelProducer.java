package io.lkfleet.capacity.config;

import io.lkfleet.common.capacity.CapacityAssumptions;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.SizingCalculator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The shared capacity model as beans, built once from {@code fleet.capacity}. */
@ApplicationScoped
public class ModelProducer {

    @Produces
    @ApplicationScoped
    CapacityModel model(CapacityAssumptions assumptions) {
        return new CapacityModel(assumptions);
    }

    @Produces
    @ApplicationScoped
    SizingCalculator sizing(CapacityModel model) {
        return new SizingCalculator(model);
    }
}
