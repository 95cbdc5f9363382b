package dev.drover.api;

/** {@code POST /agent/schedules}: {@code enabled} defaults to true, {@code team} as for runs. */
public record CreateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig, Boolean team) {}
