package dev.drover.api;

import java.util.List;

/** The normalized conversation of {@code GET /agent/runs/{id}/conversation} and {@code /agent/conversations/{id}}. */
public record ConversationResponse(String conversationId, List<ConversationStep> steps) {}
