package dev.drover.api;

/** Tokens a worker's agent spent on one model call ({@code POST /workers/{id}/runs/{runId}/usage}). */
public record UsageReport(String modelId, long inputTokens, long outputTokens) {}
