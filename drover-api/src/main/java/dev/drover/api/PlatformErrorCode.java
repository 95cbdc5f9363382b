package dev.drover.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** Machine-readable error codes ({@code PlatformErrorCode}); the wire form is the lower-case name. */
public enum PlatformErrorCode {
    INSUFFICIENT_CREDITS, FEATURE_NOT_AVAILABLE, EXTERNAL_AUTHENTICATION_REQUIRED, NOT_AUTHORIZED,
    INVALID_REQUEST, RESOURCE_NOT_FOUND, BUDGET_EXCEEDED, INTEGRATION_DISABLED, INTEGRATION_NOT_CONFIGURED,
    OPERATION_NOT_SUPPORTED, ENVIRONMENT_SETUP_FAILED, CONTENT_POLICY_VIOLATION, CONFLICT,
    AUTHENTICATION_REQUIRED, RESOURCE_UNAVAILABLE, INTERNAL_ERROR;

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
