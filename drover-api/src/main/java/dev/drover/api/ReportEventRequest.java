package dev.drover.api;

/** Body of {@code POST /agent/events/{runId}}. */
public record ReportEventRequest(String eventType, String executionId, String refId) {}
