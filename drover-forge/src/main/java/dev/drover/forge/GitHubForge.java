package dev.drover.forge;

import static dev.drover.forge.ForgeHttp.encode;
import static dev.drover.forge.ForgeHttp.required;
import static dev.drover.forge.ForgeHttp.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** GitHub and GitHub Enterprise Server: the REST API of docs.github.com, version 2022-11-28. */
final class GitHubForge implements Forge {
    private final ForgeHttp http;

    GitHubForge(ForgeHttp http) {
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
        // head=owner:branch filters on the server; a branch has at most one open pull request per base, and the
        // first is the one to update
        JsonNode pulls = http.getList(repoPath(owner, repo) + "/pulls?state=open&per_page=100&head="
                + encode(owner + ":" + headBranch));
        for (JsonNode pull : pulls) {
            PullRequest found = pullRequest(pull);
            if (headBranch.equals(found.head())) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    @Override
    public PullRequest open(String owner, String repo, PullRequestDraft draft) throws ForgeException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", draft.title());
        body.put("head", draft.head());
        body.put("base", draft.base());
        if (draft.body() != null) {
            body.put("body", draft.body());
        }
        body.put("draft", draft.draft());
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
        return new PullRequest(required(pull, "html_url"), pull.path("number").asLong(), pull.path("head").path("ref").asText(),
                pull.path("base").path("ref").asText(), text(pull, "title"), pull.path("draft").asBoolean(false));
    }
}
