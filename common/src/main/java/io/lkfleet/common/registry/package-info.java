/**
 * Reading LiveKit's own node registry (hash {@code nodes}, hash {@code room_node_map} in each
 * region's Redis), with LiveKit's one liveness rule. Used by region-router, capacity-service and
 * the local fleet; it needs {@code vertx-redis-client} and {@code livekit-server}, optional
 * dependencies of common.
 */
package io.lkfleet.common.registry;
