package dev.drover.api;

import java.time.Instant;

/** One entry of the global event log; {@code sequence} is strictly increasing across all runs. */
public record RunEvent(String eventType, String runId, String refId, String executionId, Instant occurredAt, long sequence) {}
