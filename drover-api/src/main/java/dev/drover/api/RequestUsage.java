package dev.drover.api;

/** Cost of a run. */
public record RequestUsage(Double inferenceCost, Double computeCost) {}
