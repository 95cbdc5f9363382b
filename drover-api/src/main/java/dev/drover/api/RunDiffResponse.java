package dev.drover.api;

import java.util.List;

/** {@code GET /agent/runs/{id}/diff}: the run's changes, one entry per repository that has any. */
public record RunDiffResponse(List<RepositoryDiff> repos) {}
