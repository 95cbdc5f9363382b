package dev.drover.api;

import java.util.List;

/** Reply of {@code GET /agent/runs}. */
public record ListRunsResponse(List<RunItem> runs, PageInfo pageInfo) {}
