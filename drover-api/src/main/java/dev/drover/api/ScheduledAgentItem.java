package dev.drover.api;

import java.time.Instant;

/**
 * A scheduled agent: {@code prompt} and {@code agent_config} run on {@code cron_schedule} (five fields, UTC) while
 * {@code enabled}. {@code environment} is the environment {@code agent_config.environment_id} names, as it is now.
 * {@code history} says when it last fired and fires next; {@code last_spawn_error} why its last
 * tick created no run, if it did not. {@code agent_uid} is the agent identity its runs act as, if any.
 */
public record ScheduledAgentItem(String id, String name, String cronSchedule, boolean enabled, String prompt,
        String lastSpawnError, AmbientAgentConfig agentConfig, CloudEnvironmentConfig environment, Instant createdAt, Instant updatedAt,
        RunCreatorInfo createdBy, RunCreatorInfo updatedBy, ScheduledAgentHistoryItem history, Scope scope,
        String agentUid, java.util.Map<String, String> metadata, String mode) {

    /** Without {@code metadata} and {@code mode} (given to every run the schedule creates; mode absent: normal). */
    public ScheduledAgentItem(String id, String name, String cronSchedule, boolean enabled, String prompt,
            String lastSpawnError, AmbientAgentConfig agentConfig, CloudEnvironmentConfig environment,
            Instant createdAt, Instant updatedAt, RunCreatorInfo createdBy, RunCreatorInfo updatedBy,
            ScheduledAgentHistoryItem history, Scope scope, String agentUid) {
        this(id, name, cronSchedule, enabled, prompt, lastSpawnError, agentConfig, environment, createdAt, updatedAt,
                createdBy, updatedBy, history, scope, agentUid, null, null);
    }
}
