package dev.drover.api;

import java.util.List;

/** {@code GET /agent}: the skills the caller can run, grouped by name. */
public record ListAgentsResponse(List<AgentListItem> agents) {}
