package dev.drover.api;

/**
 * Where a run was created from ({@code RunSourceType}), with the newer SDK's values. Drover produces API, CLI,
 * LOCAL (client-executed runs' clients may say so), SCHEDULED_AGENT (schedules), ORCHESTRATION (child runs an
 * agent creates) and GITHUB_WEBHOOK/GITLAB_WEBHOOK (runs a repository event started); the others are accepted as
 * list filters and by {@code X-Drover-Source} (docs/api.md).
 */
public enum RunSourceType {
    LINEAR, API, SLACK, TEAMS, LOCAL, SCHEDULED_AGENT, WEB_APP, GITHUB_ACTION, CLOUD_MODE, CLI, JIRA, SELF_IMPROVEMENT,
    GITHUB_WEBHOOK, GITLAB_WEBHOOK, AZURE_DEVOPS_WEBHOOK, AUTOFIX, RUN_SCORER, ORCHESTRATION, BENCHMARK_TRIAL,
    CREATE_BENCHMARK_TASK, CUSTOM_WEBHOOK
}
