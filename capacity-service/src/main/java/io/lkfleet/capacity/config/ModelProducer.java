package io.lkfleet.capacity.config;

import io.lkfleet.common.capacity.CapacityAssumptions;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.SizingCalculator;
import io.lkfleet.common.fleet.FleetConfig;
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

    /** The admission limit of one node of {@code region}, from its node class. */
    public static NodeLimit limitOf(FleetConfig fleet, CapacityModel model, String region) {
        FleetConfig.NodeClass nodeClass = fleet.nodeClasses().get(fleet.regions().get(region).nodeClass());
        return nodeClass == null ? new NodeLimit(0, 0) : model.limit(nodeClass.maxSubscriptions(), nodeClass.egressMbps());
    }
}
