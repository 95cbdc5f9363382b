package dev.drover.api;

import java.util.List;

/** Reply of {@code GET /workers}. */
public record ListWorkersResponse(List<WorkerInfo> workers) {}
