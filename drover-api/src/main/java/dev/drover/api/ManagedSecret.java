package dev.drover.api;

import java.time.Instant;

/**
 * A managed secret as the API shows it (a Drover extension, {@code /secrets}): never its value, which is write-only.
 * {@code name} is the environment variable it is injected as; {@code creator} who created it, {@code updated_by} who
 * last replaced its value or description.
 */
public record ManagedSecret(String uid, String name, String description, Scope scope, RunCreatorInfo creator,
        RunCreatorInfo updatedBy, Instant createdAt, Instant updatedAt) {}
