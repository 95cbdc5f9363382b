package dev.drover.api;

import java.time.Instant;
import java.util.Map;

/** {@code GET /agent/artifacts/{uid}}: files and screenshots with a signed download URL, plans inline. */
public record ArtifactResponse(String artifactUid, ArtifactType artifactType, Instant createdAt, Map<String, Object> data) {}
