package dev.drover.api;

/**
 * {@code POST /agent/schedules}: {@code enabled} defaults to true, {@code team} as for runs. {@code agent_uid} names
 * an agent identity of the schedule's team that its runs act as.
 */
public record CreateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig, Boolean team, String agentUid) {

    public CreateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
            AmbientAgentConfig agentConfig, Boolean team) {
        this(name, cronSchedule, prompt, enabled, agentConfig, team, null);
    }
}
