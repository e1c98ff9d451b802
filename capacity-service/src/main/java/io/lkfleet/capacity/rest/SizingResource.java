package io.lkfleet.capacity.rest;

import io.lkfleet.capacity.rest.CapacityProblem.Reason;
import io.lkfleet.common.capacity.CapacityModel;
import io.lkfleet.common.capacity.SimulcastMix;
import io.lkfleet.common.capacity.SizingCalculator;
import io.lkfleet.common.capacity.SizingEstimate;
import io.lkfleet.common.capacity.SizingRequest;
import io.lkfleet.common.capacity.NodeLimit;
import io.lkfleet.common.capacity.RoomCost;
import io.lkfleet.common.fleet.FleetConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.HashMap;
import java.util.Map;

/**
 * The guide's sizing question: {@code GET /v1/sizing?participants=100&rooms=4:1.0&publish-share=1
 * &mix=1,0,0&node-class=standard} → subscriptions, egress Gbit/s, nodes of that class.
 */
@Path("/v1/sizing")
@RegisterForReflection(targets = { SizingEstimate.class, NodeLimit.class, RoomCost.class })
@Produces(MediaType.APPLICATION_JSON)
public class SizingResource {
    private final SizingCalculator sizing;
    private final CapacityModel model;
    private final FleetConfig fleet;

    public SizingResource(SizingCalculator sizing, CapacityModel model, FleetConfig fleet) {
        this.sizing = sizing;
        this.model = model;
        this.fleet = fleet;
    }

    /**
     * @param rooms room-size distribution {@code size:share,...} (share of participants in rooms of that size)
     * @param mix shares of video forwarded at the high, medium, low layer; the configured mix when absent
     */
    @GET
    // numbers arrive as text and are parsed here, so a malformed one is invalid-sizing-request, not JAX-RS' 404
    public SizingEstimate estimate(@QueryParam("participants") String participants,
            @QueryParam("rooms") @DefaultValue("4:1.0") String rooms,
            @QueryParam("publish-share") @DefaultValue("1.0") String publishShare,
            @QueryParam("mix") String mix,
            @QueryParam("node-class") @DefaultValue("standard") String nodeClass) {
        FleetConfig.NodeClass node = fleet.nodeClasses().get(nodeClass);
        if (participants == null || node == null) {
            throw new CapacityProblem(Reason.INVALID_SIZING_REQUEST, participants == null
                    ? "participants is required" : "no node class '" + nodeClass + "' in fleet.node-classes");
        }
        try {
            return sizing.estimate(new SizingRequest(Long.parseLong(participants.trim()), roomSizes(rooms),
                    Double.parseDouble(publishShare.trim()), mix(mix), node.maxSubscriptions(), node.egressMbps()));
        } catch (IllegalArgumentException e) {
            throw new CapacityProblem(Reason.INVALID_SIZING_REQUEST, e.getMessage());
        }
    }

    private static Map<Integer, Double> roomSizes(String spec) {
        Map<Integer, Double> sizes = new HashMap<>();
        for (String part : spec.split(",")) {
            String[] sizeShare = part.trim().split(":");
            if (sizeShare.length != 2) {
                throw new IllegalArgumentException("rooms must be size:share pairs, got '" + part + "'");
            }
            sizes.merge(Integer.parseInt(sizeShare[0].trim()), Double.parseDouble(sizeShare[1].trim()), Double::sum);
        }
        return sizes;
    }

    private SimulcastMix mix(String spec) {
        if (spec == null || spec.isBlank()) {
            return SimulcastMix.of(model.assumptions().video());
        }
        String[] shares = spec.split(",");
        if (shares.length != 3) {
            throw new IllegalArgumentException("mix must be three shares high,medium,low");
        }
        return new SimulcastMix(Double.parseDouble(shares[0]), Double.parseDouble(shares[1]),
                Double.parseDouble(shares[2]));
    }
}
