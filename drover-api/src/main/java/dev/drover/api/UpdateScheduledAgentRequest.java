package dev.drover.api;

import java.util.Map;

/**
 * {@code PUT /agent/schedules/{id}}: every field but {@code agent_config}, {@code agent_uid}, {@code metadata} and
 * {@code mode} is required. {@code agent_uid} left out keeps the schedule's identity, {@code ""} removes it; the
 * update replaces {@code agent_config}, {@code metadata} and {@code mode} (absent {@code metadata}: none).
 */
public record UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig, String agentUid, Map<String, String> metadata, String mode) {

    public UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
            AmbientAgentConfig agentConfig) {
        this(name, cronSchedule, prompt, enabled, agentConfig, null, null, null);
    }
}
