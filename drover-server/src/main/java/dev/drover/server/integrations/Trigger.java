package dev.drover.server.integrations;

import dev.drover.api.RunSourceType;

/**
 * A repository event that asks for a run: a comment mentioning Drover, or an issue given Drover's label.
 *
 * @param project {@code owner/repo} (GitLab: the project's full path, groups included)
 * @param target what the event is on, and where comments go: {@code issue}, {@code pull_request} or
 *     {@code merge_request}
 * @param number the issue's or pull/merge request's number on the forge (GitLab: its iid)
 * @param comment the triggering comment's text, or null for a label
 * @param commentUrl the comment's web URL, or null for a label
 * @param user the forge login of who triggered it (commented, or added the label)
 * @param why {@code mention} or {@code label}
 */
record Trigger(Forge forge, String deliveryId, String project, String target, long number, String title,
        String text, String issueUrl, String comment, String commentUrl, String user, String why) {

    /** The forges Drover takes events from, as recorded in the database. */
    enum Forge {
        GITHUB("github", RunSourceType.GITHUB_WEBHOOK, "GitHub"),
        GITLAB("gitlab", RunSourceType.GITLAB_WEBHOOK, "GitLab");

        final String wire;
        final RunSourceType source;
        final String display;

        Forge(String wire, RunSourceType source, String display) {
            this.wire = wire;
            this.source = source;
            this.display = display;
        }
    }

    String owner() {
        return project.substring(0, project.lastIndexOf('/'));
    }

    String repo() {
        return project.substring(project.lastIndexOf('/') + 1);
    }
}
