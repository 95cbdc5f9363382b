package dev.drover.api;

/**
 * A repository of an environment ({@code GitHubRepo}): cloned from the configured git source as {@code owner/repo}.
 *
 * @param events Drover extension: true marks this environment as the one whose runs the repository's events (a
 *     mention or a label on GitHub/GitLab) start, among its scope's environments listing it; null or false: unmarked
 */
public record GitHubRepo(String owner, String repo, Boolean events) {
    public GitHubRepo(String owner, String repo) {
        this(owner, repo, null);
    }
}
