package dev.drover.api;

/** Why a run is in its state; for terminal errors it carries the error code and whether a retry may help. */
public record RunStatusMessage(String message, PlatformErrorCode errorCode, Boolean retryable) {}
