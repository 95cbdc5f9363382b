package dev.drover.api;

/** A model that runs may ask for; {@code disable_reason} is set when it cannot be used now. */
public record ModelInfo(
        String id,
        String displayName,
        String provider,
        boolean visionSupported,
        String description,
        String reasoningLevel,
        String disableReason) {}
