package dev.drover.api;

import java.util.List;

/** Messages a worker appends to a run's transcript ({@code POST /workers/{id}/runs/{runId}/transcript}). */
public record TranscriptAppend(List<TranscriptMessage> messages) {

    /** One message: {@code role} is user, assistant, tool or system; {@code content} the spec's content blocks. */
    public record TranscriptMessage(String role, List<java.util.Map<String, Object>> content) {}
}
