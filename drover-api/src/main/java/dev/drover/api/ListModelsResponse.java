package dev.drover.api;

import java.util.List;

/** Reply of {@code GET /agent/models}. */
public record ListModelsResponse(String defaultModelId, List<ModelInfo> models) {}
