package dev.drover.api;

import java.util.List;

/**
 * Reply of {@code GET /agent/runs/{runId}/handoff/attachments} (SDK 1.4 {@code listHandoffAttachments}): the files
 * a new execution of the run starts from, each with a time-limited signed {@code download_url}. In Drover these are
 * the run's input attachments (sent with its prompt).
 */
public record HandoffAttachments(List<Attachment> attachments) {

    public record Attachment(String attachmentId, String filename, String downloadUrl, String mimeType) {}
}
