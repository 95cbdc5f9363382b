package dev.drover.server.http;

import dev.drover.api.PlatformErrorCode;

/**
 * A request that cannot be served, with the status and the error code the client sees. {@code detail} always
 * names the offending field or parameter first ({@code "limit: must be between 1 and 500"}). {@code retryable}
 * becomes the problem's {@code retryable} and the {@code x-should-retry} header the SDKs obey: a 409 says
 * explicitly whether repeating the same request can succeed ({@link #conflict}).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final PlatformErrorCode code;
    private final boolean retryable;

    public ApiException(int status, PlatformErrorCode code, String detail, boolean retryable) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.retryable = retryable;
    }

    /** A problem whose retryability follows its status: 429 and 5xx may be retried, anything else not. */
    public ApiException(int status, PlatformErrorCode code, String detail) {
        this(status, code, detail, retryableByDefault(status));
    }

    /** What {@code x-should-retry} says when nothing more is known: only rate limits and server failures pass. */
    public static boolean retryableByDefault(int status) {
        return status == 429 || status >= 500;
    }

    public static ApiException badRequest(String field, String problem) {
        return new ApiException(400, PlatformErrorCode.INVALID_REQUEST, field + ": " + problem, false);
    }

    public static ApiException notFound(String field, String what) {
        return new ApiException(404, PlatformErrorCode.RESOURCE_NOT_FOUND, field + ": " + what + " not found", false);
    }

    public static ApiException conflict(String detail, boolean retryable) {
        return new ApiException(409, PlatformErrorCode.CONFLICT, detail, retryable);
    }

    public static ApiException unsupported(String detail) {
        return new ApiException(422, PlatformErrorCode.OPERATION_NOT_SUPPORTED, detail, false);
    }

    public static ApiException unauthenticated(String detail) {
        return new ApiException(401, PlatformErrorCode.AUTHENTICATION_REQUIRED, detail, false);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, PlatformErrorCode.NOT_AUTHORIZED, detail, false);
    }

    public int status() {
        return status;
    }

    public PlatformErrorCode code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    public String detail() {
        return getMessage();
    }
}
