package dev.drover.forge;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;

/**
 * The few forge operations Drover needs: find or open a pull request for a branch, and comment on an issue or a pull
 * request. One implementation per {@link ForgeKind}, each speaking that forge's documented REST API. Every call has a
 * timeout; a non-2xx answer or no answer is a {@link ForgeException}.
 *
 * <p>{@code owner} is a user or organisation ({@code group/subgroup} on GitLab), {@code repo} a repository name;
 * both are checked before they go into a path, so a hostile name cannot reach another endpoint.
 */
public interface Forge {
    /** How long one call may take, connection and answer included, unless {@link #of(ForgeAccess, HttpClient, Duration)} says otherwise. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param http a client that does not follow redirects ({@link HttpClient#newHttpClient()} does not; others are
     *     refused): a redirect would carry the token to wherever it points; a 3xx is a {@link ForgeException} instead
     */
    static Forge of(ForgeAccess access, HttpClient http) {
        return of(access, http, DEFAULT_TIMEOUT);
    }

    static Forge of(ForgeAccess access, HttpClient http, Duration timeout) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("a forge client must not follow redirects: they would carry the token along");
        }
        ForgeHttp client = new ForgeHttp(access, http, timeout);
        return switch (access.kind()) {
            case GITHUB -> new GitHubForge(client);
            case GITLAB -> new GitLabForge(client);
            case GITEA -> new GiteaForge(client);
        };
    }

    String defaultBranch(String owner, String repo) throws ForgeException, InterruptedException;

    /** The open pull request (merge request) from {@code headBranch} of this repository, if there is one. */
    Optional<PullRequest> findOpen(String owner, String repo, String headBranch) throws ForgeException, InterruptedException;

    PullRequest open(String owner, String repo, PullRequestDraft draft) throws ForgeException, InterruptedException;

    /**
     * Comments on issue {@code issueNumber} and returns the comment's web URL. On GitHub and Gitea pull requests are
     * issues too, so this also comments on pull request {@code issueNumber}; on GitLab issues and merge requests are
     * numbered separately: use {@link #commentOnPullRequest} for a merge request.
     */
    URI comment(String owner, String repo, long issueNumber, String body) throws ForgeException, InterruptedException;

    /** Comments on pull request (GitLab: merge request) {@code number} and returns the comment's web URL. */
    default URI commentOnPullRequest(String owner, String repo, long number, String body)
            throws ForgeException, InterruptedException {
        return comment(owner, repo, number, body);
    }
}
