package dev.drover.server.integrations;

import dev.drover.server.testing.Api;
import java.util.List;
import java.util.Map;

/**
 * Webhook payloads in the shapes GitHub and GitLab document (their examples, trimmed to the members Drover reads plus
 * a few it must ignore).
 */
final class ForgePayloads {
    private ForgePayloads() {}

    /** GitHub {@code issue_comment} (action {@code created}), after docs.github.com's webhook payload example. */
    static String githubComment(String owner, String repo, int number, String body, String association, boolean pr) {
        return githubComment("https://github.com", owner, repo, number, body, association, pr);
    }

    /** As on a GitHub Enterprise server at {@code web}. */
    static String githubComment(String web, String owner, String repo, int number, String body, String association,
            boolean pr) {
        Map<String, Object> issue = new java.util.LinkedHashMap<>(Map.of(
                "url", "https://api.github.com/repos/" + owner + "/" + repo + "/issues/" + number,
                "html_url", web + "/" + owner + "/" + repo + "/" + (pr ? "pull/" : "issues/") + number,
                "number", number,
                "title", "Spelling error in the README file",
                "user", Map.of("login", "Codertocat", "id", 21031067, "type", "User"),
                "state", "open",
                "author_association", "OWNER",
                "body", "It looks like you accidently spelled 'commit' with two 't's."));
        if (pr) {
            issue.put("pull_request", Map.of("url", "https://api.github.com/repos/" + owner + "/" + repo + "/pulls/"
                    + number, "html_url", "https://github.com/" + owner + "/" + repo + "/pull/" + number));
        }
        return Api.toJson(Map.of(
                "action", "created",
                "issue", issue,
                "comment", Map.of(
                        "url", "https://api.github.com/repos/" + owner + "/" + repo + "/issues/comments/492700400",
                        "html_url", web + "/" + owner + "/" + repo + "/issues/" + number + "#issuecomment-492700400",
                        "id", 492700400,
                        "user", Map.of("login", "Codertocat", "id", 21031067, "type", "User"),
                        "created_at", "2019-05-15T15:20:21Z",
                        "author_association", association,
                        "body", body),
                "repository", Map.of("id", 186853002, "name", repo, "full_name", owner + "/" + repo,
                        "private", false, "owner", Map.of("login", owner, "type", "User")),
                "sender", Map.of("login", "Codertocat", "id", 21031067, "type", "User")));
    }

    /** GitHub {@code issues} with action {@code labeled}. */
    static String githubLabeled(String owner, String repo, int number, String label, String senderType) {
        return Api.toJson(Map.of(
                "action", "labeled",
                "issue", Map.of(
                        "html_url", "https://github.com/" + owner + "/" + repo + "/issues/" + number,
                        "number", number,
                        "title", "Add a dark mode",
                        "user", Map.of("login", "someone", "type", "User"),
                        "author_association", "NONE",
                        "body", "The settings page needs a dark mode."),
                "label", Map.of("id", 1362934389, "name", label, "color", "f29513"),
                "repository", Map.of("name", repo, "full_name", owner + "/" + repo),
                "sender", Map.of("login", "Codertocat", "type", senderType)));
    }

    /** GitLab {@code Note Hook} on an issue or a merge request, after docs.gitlab.com's example. */
    static String gitlabNote(String project, int iid, String note, String username, boolean mergeRequest) {
        Map<String, Object> on = Map.of("id", 301, "iid", iid, "title", "Fix the flaky test",
                "description", "The test fails one time in ten.",
                "url", "https://gitlab.example.com/" + project + (mergeRequest ? "/-/merge_requests/" : "/-/issues/")
                        + iid);
        return Api.toJson(Map.of(
                "object_kind", "note",
                "event_type", "note",
                "user", Map.of("id", 1, "name", "Administrator", "username", username, "email", "admin@example.com"),
                "project_id", 5,
                "project", Map.of("id", 5, "name", "Gitlab Test", "path_with_namespace", project,
                        "web_url", "https://gitlab.example.com/" + project),
                "object_attributes", Map.of("id", 1241, "note", note,
                        "noteable_type", mergeRequest ? "MergeRequest" : "Issue", "system", false,
                        "url", "https://gitlab.example.com/" + project + (mergeRequest ? "/-/merge_requests/" : "/-/issues/")
                                + iid + "#note_1241"),
                mergeRequest ? "merge_request" : "issue", on));
    }

    /** GitLab {@code Issue Hook} whose {@code changes.labels} add {@code label}. */
    static String gitlabLabeled(String project, int iid, String label, String username) {
        return Api.toJson(Map.of(
                "object_kind", "issue",
                "event_type", "issue",
                "user", Map.of("id", 1, "name", "Administrator", "username", username),
                "project", Map.of("id", 5, "path_with_namespace", project),
                "object_attributes", Map.of("id", 301, "iid", iid, "title", "New API: create/update/delete file",
                        "description", "Create new API for manipulations with repository", "action", "update",
                        "url", "https://gitlab.example.com/" + project + "/-/issues/" + iid),
                "labels", List.of(Map.of("id", 206, "title", label)),
                "changes", Map.of("labels", Map.of(
                        "previous", List.of(Map.of("id", 205, "title", "Platform")),
                        "current", List.of(Map.of("id", 205, "title", "Platform"), Map.of("id", 206, "title", label))))));
    }
}
