package dev.drover.forge;

import static dev.drover.forge.ForgeHttp.required;
import static dev.drover.forge.ForgeHttp.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Gitea's (and Forgejo's) REST API v1. Its pull request list cannot be filtered by head branch, so
 * {@link #findOpen} pages through the open ones. A draft is a title starting with {@code WIP: }.
 */
final class GiteaForge implements Forge {
    static final String DRAFT_PREFIX = "WIP: ";
    private static final int PAGE = 50;
    /** 50 pages of 50: a repository with more open pull requests than that is not one Drover will find its own in. */
    private static final int MAX_PAGES = 50;

    private final ForgeHttp http;

    GiteaForge(ForgeHttp http) {
        this.http = http;
    }

    @Override
    public String defaultBranch(String owner, String repo) throws ForgeException, InterruptedException {
        return required(http.get(repoPath(owner, repo)), "default_branch");
    }

    @Override
    public Optional<PullRequest> findOpen(String owner, String repo, String headBranch)
            throws ForgeException, InterruptedException {
        RepoNames.branch(headBranch);
        String fullName = owner + "/" + repo;
        for (int page = 1; page <= MAX_PAGES; page++) {
            JsonNode pulls = http.getList(repoPath(owner, repo) + "/pulls?state=open&limit=" + PAGE + "&page=" + page);
            for (JsonNode pull : pulls) {
                JsonNode head = pull.path("head");
                // a pull request from a fork may use the same branch name; only this repository's branch is ours
                String headRepo = head.path("repo").path("full_name").asText(fullName);
                if (headBranch.equals(head.path("ref").asText()) && headRepo.equalsIgnoreCase(fullName)) {
                    return Optional.of(pullRequest(pull));
                }
            }
            if (pulls.size() < PAGE) {
                break;
            }
        }
        return Optional.empty();
    }

    @Override
    public PullRequest open(String owner, String repo, PullRequestDraft draft) throws ForgeException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("head", draft.head());
        body.put("base", draft.base());
        body.put("title", draft.draft() && !draft.title().startsWith(DRAFT_PREFIX) ? DRAFT_PREFIX + draft.title() : draft.title());
        if (draft.body() != null) {
            body.put("body", draft.body());
        }
        return pullRequest(http.post(repoPath(owner, repo) + "/pulls", body));
    }

    @Override
    public URI comment(String owner, String repo, long issueNumber, String body) throws ForgeException, InterruptedException {
        RepoNames.number(issueNumber);
        RepoNames.body(body);
        JsonNode comment = http.post(repoPath(owner, repo) + "/issues/" + issueNumber + "/comments", Map.of("body", body));
        return URI.create(required(comment, "html_url"));
    }

    private static String repoPath(String owner, String repo) {
        RepoNames.check(owner, repo, false);
        return "/repos/" + owner + "/" + repo;
    }

    private static PullRequest pullRequest(JsonNode pull) throws ForgeException {
        String title = text(pull, "title");
        boolean draft = pull.path("draft").asBoolean(false) || title != null && title.startsWith(DRAFT_PREFIX);
        return new PullRequest(required(pull, "html_url"), pull.path("number").asLong(), pull.path("head").path("ref").asText(),
                pull.path("base").path("ref").asText(), title, draft);
    }
}
