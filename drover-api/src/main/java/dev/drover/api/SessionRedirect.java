package dev.drover.api;

/** Reply of the session redirect endpoint: the conversation id once the run has finished, else empty. */
public record SessionRedirect(String conversationId) {}
