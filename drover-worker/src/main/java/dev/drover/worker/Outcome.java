package dev.drover.worker;

import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RunStatusMessage;

/** How a run ended on this worker: the event to report and why. */
public record Outcome(String eventType, RunStatusMessage status) {

    public static Outcome succeeded(String message) {
        return new Outcome("run_succeeded", new RunStatusMessage(message, null, null));
    }

    public static Outcome failed(String message, PlatformErrorCode code) {
        return new Outcome("run_failed", new RunStatusMessage(message, code, false));
    }

    public static Outcome errored(String message) {
        return new Outcome("run_errored", new RunStatusMessage(message, PlatformErrorCode.INTERNAL_ERROR, true));
    }

    /** The agent needs the user: the run ends BLOCKED and continues as a new run with its conversation_id. */
    public static Outcome blocked(String question) {
        return new Outcome("run_blocked", new RunStatusMessage(question, null, null));
    }

    public static Outcome cancelled() {
        return new Outcome("run_cancelled", new RunStatusMessage("Cancelled; the agent's processes were stopped", null, null));
    }
}
