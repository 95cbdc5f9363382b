package dev.drover.api;

import java.time.Instant;
import java.util.Map;

/** An artifact as listed on a run; {@code data}'s members depend on {@code artifact_type}. */
public record ArtifactItem(ArtifactType artifactType, Instant createdAt, Map<String, Object> data) {}
