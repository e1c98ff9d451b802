package io.lkfleet.capacity;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The guide's ops guards for one region: rooms nobody is in that nobody closed (older than the
 * grace period), and egress still running in rooms with no publisher left (recording silence, at
 * full price).
 */
@RegisterForReflection
public record GuardReport(String region, List<String> idleRooms, List<String> egressWithoutPublishers) {
}
