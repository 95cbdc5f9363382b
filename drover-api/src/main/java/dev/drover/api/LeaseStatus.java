package dev.drover.api;

import java.time.Instant;

/**
 * One run's lease after a heartbeat. {@code lost}: the worker no longer holds it (expired and requeued, or
 * finished) and must stop; {@code cancel_requested}: a user asked to cancel, stop and report run_cancelled.
 */
public record LeaseStatus(String runId, RunState state, Instant leaseExpiresAt, boolean cancelRequested, boolean lost) {}
