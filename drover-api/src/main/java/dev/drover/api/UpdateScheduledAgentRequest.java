package dev.drover.api;

import java.util.Map;

/**
 * {@code PUT /agent/schedules/{id}}: every field but {@code agent_config}, {@code metadata} and {@code mode} is
 * required; the update replaces them all (absent {@code metadata}: none).
 */
public record UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig, Map<String, String> metadata, String mode) {

    public UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
            AmbientAgentConfig agentConfig) {
        this(name, cronSchedule, prompt, enabled, agentConfig, null, null);
    }
}
