package dev.drover.api;

/** Where a run was created from ({@code RunSourceType}). */
public enum RunSourceType {
    LINEAR, API, SLACK, LOCAL, SCHEDULED_AGENT, WEB_APP, GITHUB_ACTION, CLOUD_MODE, CLI,
    /** Drover extensions: runs started by a repository event (a mention or a label) on GitHub or GitLab. */
    GITHUB_WEBHOOK, GITLAB_WEBHOOK
}
