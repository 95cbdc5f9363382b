package dev.drover.api;

import java.time.Instant;

/** A run handed to a worker, leased until {@code lease_expires_at} unless heartbeats extend it. */
public record ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt) {}
