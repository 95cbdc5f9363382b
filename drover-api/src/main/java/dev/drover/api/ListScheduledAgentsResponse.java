package dev.drover.api;

import java.util.List;

/** {@code GET /agent/schedules}: sorted by name. */
public record ListScheduledAgentsResponse(List<ScheduledAgentItem> schedules) {}
