package dev.drover.api;

/**
 * {@code PUT /agent/schedules/{id}}: every field but {@code agent_config} and {@code agent_uid} is required.
 * {@code agent_uid} left out keeps the schedule's identity, {@code ""} removes it.
 */
public record UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig, String agentUid) {

    public UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
            AmbientAgentConfig agentConfig) {
        this(name, cronSchedule, prompt, enabled, agentConfig, null);
    }
}
