package dev.drover.api;

import java.time.Instant;

/** When a schedule last created a run, and when it fires next (null while paused). */
public record ScheduledAgentHistoryItem(Instant lastRan, Instant nextRun) {}
