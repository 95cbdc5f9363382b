package dev.drover.api;

/** A base64-encoded file sent with a run's prompt. */
public record AttachmentInput(String fileName, String mimeType, String data) {}
