package dev.drover.forge;

import java.util.Objects;

/**
 * A pull request to open.
 *
 * @param head the source branch, in the same repository
 * @param base the target branch
 * @param body markdown description; may be null
 * @param draft GitHub opens a draft pull request; GitLab prefixes the title with {@code Draft: } and Gitea with
 *     {@code WIP: }, which is how those forges mark drafts
 */
public record PullRequestDraft(String head, String base, String title, String body, boolean draft) {
    public PullRequestDraft {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(title, "title");
        if (head.isBlank() || base.isBlank() || title.isBlank()) {
            throw new IllegalArgumentException("a pull request needs a head branch, a base branch and a title");
        }
    }
}
