package dev.drover.api;

import java.util.Map;

/**
 * {@code POST /agent/schedules}: {@code enabled} defaults to true, {@code team} as for runs. {@code agent_uid} names
 * an agent identity of the schedule's team that its runs act as. {@code metadata} is given to every run the schedule
 * creates; {@code mode} is the runs' mode (as {@code mode} of a run).
 */
public record CreateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
        AmbientAgentConfig agentConfig, Boolean team, String agentUid, Map<String, String> metadata, String mode) {

    public CreateScheduledAgentRequest(String name, String cronSchedule, String prompt, Boolean enabled,
            AmbientAgentConfig agentConfig, Boolean team) {
        this(name, cronSchedule, prompt, enabled, agentConfig, team, null, null, null);
    }
}
