package dev.drover.api;

/**
 * RFC 7807 problem details with the spec's extension members. {@code type} ends in the error code,
 * {@code error} repeats title and detail for older clients.
 */
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        String error,
        Boolean retryable,
        String traceId) {}
