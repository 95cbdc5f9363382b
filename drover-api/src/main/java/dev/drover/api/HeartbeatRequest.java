package dev.drover.api;

import java.util.List;

/** The runs a worker is executing; their leases are extended. */
public record HeartbeatRequest(List<String> runIds) {}
