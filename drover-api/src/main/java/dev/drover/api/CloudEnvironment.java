package dev.drover.api;

import java.time.Instant;

/**
 * An environment as {@code GET /agent/environments} shows it ({@code CloudEnvironment}). {@code setup_failed} is
 * true when the latest run whose setup finished failed it; {@code last_task_run_timestamp} is when a run of the
 * environment last got past its setup and started.
 */
public record CloudEnvironment(String uid, CloudEnvironmentConfig config, Instant lastUpdated,
        Instant lastTaskRunTimestamp, EnvironmentLastTask lastTaskCreated, boolean setupFailed, Scope scope,
        RunCreatorInfo creator, RunCreatorInfo lastEditor) {}
