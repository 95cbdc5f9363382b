package dev.drover.forge;

/**
 * An open pull request (GitLab: merge request) as the forge reports it.
 *
 * @param url its web page (GitHub/Gitea {@code html_url}, GitLab {@code web_url})
 * @param number the number users see: GitHub/Gitea {@code number}, GitLab {@code iid}
 * @param head the source branch
 * @param base the target branch
 */
public record PullRequest(String url, long number, String head, String base, String title, boolean draft) {}
