package dev.drover.api;

/** A run's spending after a usage report: the worker stops the agent once {@code budget_exceeded}. */
public record UsageStatus(RequestUsage requestUsage, Double budgetUsd, boolean budgetExceeded) {}
