package dev.drover.api;

/**
 * An artifact a worker reports for a run it holds ({@code POST /workers/{id}/runs/{runId}/artifacts}):
 * FILE and SCREENSHOT carry base64 {@code data} (and {@code filepath}, {@code mime_type}); PLAN carries
 * {@code title} and markdown {@code content}; PULL_REQUEST carries {@code url} and {@code branch}, and (Drover
 * extensions) the pull request's {@code title} and the {@code repository} ({@code owner/repo}) it was opened in.
 */
public record ArtifactUpload(ArtifactType artifactType, String filepath, String mimeType, String description,
        String data, String title, String content, String url, String branch, String repository) {

    public ArtifactUpload(ArtifactType artifactType, String filepath, String mimeType, String description, String data,
            String title, String content, String url, String branch) {
        this(artifactType, filepath, mimeType, description, data, title, content, url, branch, null);
    }

    /** A pull request: its URL, branch, title and the {@code owner/repo} it was opened in. */
    public static ArtifactUpload pullRequest(String url, String branch, String title, String repository) {
        return new ArtifactUpload(ArtifactType.PULL_REQUEST, null, null, null, null, title, null, url, branch,
                repository);
    }
}
