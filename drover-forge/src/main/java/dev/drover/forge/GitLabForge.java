package dev.drover.forge;

import static dev.drover.forge.ForgeHttp.encode;
import static dev.drover.forge.ForgeHttp.required;
import static dev.drover.forge.ForgeHttp.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * GitLab's REST API v4: a project is addressed by its URL-encoded path ({@code group%2Fsub%2Frepo}), pull requests are
 * merge requests numbered by {@code iid}, comments are notes. A draft is a title starting with {@code Draft: }.
 */
final class GitLabForge implements Forge {
    static final String DRAFT_PREFIX = "Draft: ";

    private final ForgeHttp http;

    GitLabForge(ForgeHttp http) {
        this.http = http;
    }

    @Override
    public String defaultBranch(String owner, String repo) throws ForgeException, InterruptedException {
        return required(http.get(projectPath(owner, repo)), "default_branch");
    }

    @Override
    public Optional<PullRequest> findOpen(String owner, String repo, String headBranch)
            throws ForgeException, InterruptedException {
        RepoNames.branch(headBranch);
        JsonNode requests = http.getList(projectPath(owner, repo) + "/merge_requests?state=opened&per_page=100&source_branch="
                + encode(headBranch));
        for (JsonNode request : requests) {
            PullRequest found = mergeRequest(request);
            // a merge request from a fork has the same source branch name but another source project
            boolean sameProject = !request.has("source_project_id") || !request.has("target_project_id")
                    || request.get("source_project_id").asLong() == request.get("target_project_id").asLong();
            if (headBranch.equals(found.head()) && sameProject) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    @Override
    public PullRequest open(String owner, String repo, PullRequestDraft draft) throws ForgeException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source_branch", draft.head());
        body.put("target_branch", draft.base());
        body.put("title", draft.draft() && !draft.title().startsWith(DRAFT_PREFIX) ? DRAFT_PREFIX + draft.title() : draft.title());
        if (draft.body() != null) {
            body.put("description", draft.body());
        }
        return mergeRequest(http.post(projectPath(owner, repo) + "/merge_requests", body));
    }

    @Override
    public URI comment(String owner, String repo, long issueNumber, String body) throws ForgeException, InterruptedException {
        return note(owner, repo, "issues", issueNumber, body);
    }

    @Override
    public URI commentOnPullRequest(String owner, String repo, long number, String body)
            throws ForgeException, InterruptedException {
        return note(owner, repo, "merge_requests", number, body);
    }

    /**
     * A note has no web URL of its own; it is the page of its issue or merge request with {@code #note_<id>}. The
     * project's page is read first, so that a failure there leaves no note behind to be posted twice on a retry.
     */
    private URI note(String owner, String repo, String noteable, long iid, String body)
            throws ForgeException, InterruptedException {
        RepoNames.number(iid);
        RepoNames.body(body);
        String project = projectPath(owner, repo);
        String webUrl = required(http.get(project), "web_url");
        JsonNode note = http.post(project + "/" + noteable + "/" + iid + "/notes", Map.of("body", body));
        required(note, "id");
        return URI.create(webUrl + "/-/" + noteable + "/" + iid + "#note_" + note.path("id").asLong());
    }

    private static String projectPath(String owner, String repo) {
        RepoNames.check(owner, repo, true);
        return "/projects/" + encode(owner + "/" + repo);
    }

    private static PullRequest mergeRequest(JsonNode request) throws ForgeException {
        String title = text(request, "title");
        boolean draft = request.path("draft").asBoolean(false) || request.path("work_in_progress").asBoolean(false);
        return new PullRequest(required(request, "web_url"), request.path("iid").asLong(), text(request, "source_branch"),
                text(request, "target_branch"), title, draft);
    }
}
