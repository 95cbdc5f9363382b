package dev.drover.api;

import java.util.List;

/** Body of {@code POST /agent/messages}. */
public record SendMessageRequest(List<String> to, String subject, String body, String senderRunId) {}
