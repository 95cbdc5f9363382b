package dev.drover.api;

import java.util.List;

/** {@code GET /agent/environments}. */
public record ListEnvironmentsResponse(List<CloudEnvironment> environments) {}
