package dev.drover.server.openapi;

import dev.drover.api.PlatformErrorCode;

/** One sentence per error code, for the error pages. */
final class ErrorCatalog {
    private ErrorCatalog() {}

    static String explain(PlatformErrorCode code) {
        return switch (code) {
            case INSUFFICIENT_CREDITS -> "the team has no remaining credits.";
            case FEATURE_NOT_AVAILABLE -> "the feature is not enabled on this server.";
            case EXTERNAL_AUTHENTICATION_REQUIRED -> "an external service must be authorised first.";
            case NOT_AUTHORIZED -> "the caller may not perform this operation.";
            case INVALID_REQUEST -> "the request is malformed; the detail names the field or parameter.";
            case RESOURCE_NOT_FOUND -> "the resource does not exist or is not visible to the caller.";
            case BUDGET_EXCEEDED -> "the run's spending budget was reached.";
            case INTEGRATION_DISABLED -> "the integration is disabled.";
            case INTEGRATION_NOT_CONFIGURED -> "the integration is not configured.";
            case OPERATION_NOT_SUPPORTED -> "the operation is not supported for this resource or state.";
            case ENVIRONMENT_SETUP_FAILED -> "a setup command of the run's environment failed.";
            case CONTENT_POLICY_VIOLATION -> "the prompt or setup commands violate the content policy.";
            case CONFLICT -> "the request conflicts with the resource's current state; the detail says whether a retry may help.";
            case AUTHENTICATION_REQUIRED -> "a valid API key is required: Authorization: Bearer <key>.";
            case RESOURCE_UNAVAILABLE -> "a transient infrastructure problem; retry later.";
            case INTERNAL_ERROR -> "an unexpected server error; it is a bug, and retrying may help.";
        };
    }
}
