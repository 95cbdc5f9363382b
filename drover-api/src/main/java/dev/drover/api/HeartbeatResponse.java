package dev.drover.api;

import java.util.List;

/** Reply to a heartbeat: one status per run in the request, in its order. */
public record HeartbeatResponse(List<LeaseStatus> leases) {}
