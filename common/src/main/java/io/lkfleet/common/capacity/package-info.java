/**
 * The shared capacity model (design §1, §3): what a room shape costs in forwarded tracks and
 * bandwidth, what one more participant adds, a node's admission limit under the headroom policy,
 * and fleet sizing. Pure Java, usable from any JVM; assumptions come from {@link
 * io.lkfleet.common.capacity.CapacityAssumptions} ({@code fleet.capacity.*}).
 */
package io.lkfleet.common.capacity;
