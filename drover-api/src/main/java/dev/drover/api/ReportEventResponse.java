package dev.drover.api;

/** Sequence number assigned to a reported event. */
public record ReportEventResponse(long sequence) {}
