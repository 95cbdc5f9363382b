package dev.drover.api;

/**
 * An artifact a worker reports for a run it holds ({@code POST /workers/{id}/runs/{runId}/artifacts}):
 * FILE and SCREENSHOT carry base64 {@code data} (and {@code filepath}, {@code mime_type}); PLAN carries
 * {@code title} and markdown {@code content}; PULL_REQUEST carries {@code url} and {@code branch}.
 */
public record ArtifactUpload(ArtifactType artifactType, String filepath, String mimeType, String description,
        String data, String title, String content, String url, String branch) {}
