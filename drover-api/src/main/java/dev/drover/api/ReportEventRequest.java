package dev.drover.api;

/**
 * Body of {@code POST /agent/events/{runId}}. {@code status_message} is a Drover extension: the reporter
 * (a worker, or a LOCAL run's client) says why the run ended, with an error code for failures.
 */
public record ReportEventRequest(String eventType, String executionId, String refId, RunStatusMessage statusMessage) {

    public ReportEventRequest(String eventType, String executionId, String refId) {
        this(eventType, executionId, refId, null);
    }
}
