package dev.drover.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One normalized message of a conversation. {@code content} holds the spec's content blocks (text, action,
 * action_result, event), each an object with a {@code type}.
 */
public record ConversationMessage(List<String> messageIds, String requestId, String role, Instant timestamp,
        List<Map<String, Object>> content) {}
