package dev.drover.api;

import java.time.Instant;
import java.util.List;

/** A step of a conversation: in Drover, one run (continuations of a conversation are its later steps). */
public record ConversationStep(String id, String description, String summary, Instant startedAt, Instant completedAt,
        List<ConversationMessage> messages, List<ConversationStep> steps) {}
