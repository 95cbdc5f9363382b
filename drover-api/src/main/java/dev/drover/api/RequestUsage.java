package dev.drover.api;

/** Cost of a run; the token counts are Drover extensions. */
public record RequestUsage(Double inferenceCost, Double computeCost, Long inputTokens, Long outputTokens) {}
