package dev.drover.api;

import java.time.Instant;

/**
 * Why a run is in its state; for terminal errors it carries the error code and whether a retry may help.
 * {@code session_debug_until} (newer SDK) is when a failed run's retained session stops being held open for
 * debugging: Drover retains no session after a run ends, so it is never set (docs/api.md).
 */
public record RunStatusMessage(String message, PlatformErrorCode errorCode, Boolean retryable,
        Instant sessionDebugUntil) {

    public RunStatusMessage(String message, PlatformErrorCode errorCode, Boolean retryable) {
        this(message, errorCode, retryable, null);
    }
}
