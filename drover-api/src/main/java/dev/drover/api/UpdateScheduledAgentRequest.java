package dev.drover.api;

/** {@code PUT /agent/schedules/{id}}: every field but {@code agent_config} is required. */
public record UpdateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig) {}
