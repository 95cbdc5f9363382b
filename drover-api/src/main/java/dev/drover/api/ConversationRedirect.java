package dev.drover.api;

/**
 * Reply of {@code GET /agent/conversations/{conversationId}/redirect}: the shared session to open while the
 * conversation's newest run is still live, else empty ({@code {}}).
 */
public record ConversationRedirect(String sessionId) {}
