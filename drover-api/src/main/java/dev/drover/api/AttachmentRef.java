package dev.drover.api;

/** An attachment of a claimed run; the worker fetches its bytes by {@code position}. */
public record AttachmentRef(int position, String fileName, String mimeType, long sizeBytes) {}
