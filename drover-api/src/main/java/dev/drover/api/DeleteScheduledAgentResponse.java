package dev.drover.api;

/** {@code DELETE /agent/schedules/{id}}. */
public record DeleteScheduledAgentResponse(boolean success) {}
