package dev.drover.api;

import java.time.Instant;

/** The run most recently created in an environment ({@code EnvironmentLastTask}), as it is now. */
public record EnvironmentLastTask(String id, String title, RunState state, Instant createdAt, Instant updatedAt,
        Instant startedAt) {}
