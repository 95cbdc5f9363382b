package dev.drover.api;

/** The answer to a deletion, as the spec shapes it for schedules: {@code {"success": true}}. */
public record DeleteResponse(boolean success) {}
