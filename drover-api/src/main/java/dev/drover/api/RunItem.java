package dev.drover.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as returned by {@code GET /agent/runs/{runId}} and the runs list. {@code agent_identity_uid} names the agent
 * identity the run acted as (a Drover extension), kept after the identity is deleted.
 */
public record RunItem(
        String runId,
        String taskId,
        String title,
        RunState state,
        RunExecutionLocation executionLocation,
        String prompt,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        RunStatusMessage statusMessage,
        RunSourceType source,
        ScheduleInfo schedule,
        String sessionId,
        String sessionLink,
        String triggerUrl,
        RunCreatorInfo creator,
        RequestUsage requestUsage,
        AmbientAgentConfig agentConfig,
        String conversationId,
        String parentRunId,
        Boolean isSandboxRunning,
        List<ArtifactItem> artifacts,
        AgentSkill agentSkill,
        Scope scope,
        Boolean interactive,
        Map<String, String> metadata,
        String agentIdentityUid,
        RunCreatorInfo executor,
        Boolean isRunTypeCancellable,
        String runTime) {

    /** Without the newer SDK's {@code executor}, {@code is_run_type_cancellable} and {@code run_time}. */
    public RunItem(String runId, String taskId, String title, RunState state, RunExecutionLocation executionLocation,
            String prompt, Instant createdAt, Instant updatedAt, Instant startedAt, RunStatusMessage statusMessage,
            RunSourceType source, ScheduleInfo schedule, String sessionId, String sessionLink, String triggerUrl,
            RunCreatorInfo creator, RequestUsage requestUsage, AmbientAgentConfig agentConfig, String conversationId,
            String parentRunId, Boolean isSandboxRunning, List<ArtifactItem> artifacts, AgentSkill agentSkill,
            Scope scope, Boolean interactive, Map<String, String> metadata, String agentIdentityUid) {
        this(runId, taskId, title, state, executionLocation, prompt, createdAt, updatedAt, startedAt, statusMessage,
                source, schedule, sessionId, sessionLink, triggerUrl, creator, requestUsage, agentConfig,
                conversationId, parentRunId, isSandboxRunning, artifacts, agentSkill, scope, interactive, metadata,
                agentIdentityUid, null, null, null);
    }

    /** The same run with another {@code run_time}: a run still working has worked longer at every read. */
    public RunItem withRunTime(String newRunTime) {
        return new RunItem(runId, taskId, title, state, executionLocation, prompt, createdAt, updatedAt, startedAt,
                statusMessage, source, schedule, sessionId, sessionLink, triggerUrl, creator, requestUsage,
                agentConfig, conversationId, parentRunId, isSandboxRunning, artifacts, agentSkill, scope, interactive,
                metadata, agentIdentityUid, executor, isRunTypeCancellable, newRunTime);
    }
}
