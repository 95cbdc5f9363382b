package dev.drover.server.runs;

import dev.drover.api.AgentSkill;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.ArtifactItem;
import dev.drover.api.RequestUsage;
import dev.drover.api.RunCreatorInfo;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunItem;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.ScheduleInfo;
import dev.drover.api.Scope;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run's row as the API shows it ({@link RunItem}): the JSON columns read back, the SDK's derived fields
 * ({@code session_link}, {@code trigger_url}, {@code run_time}). No SQL: the callers read the rows.
 */
final class RunMapping {
    private final Supplier<String> publicUrl;
    private final Clock clock;

    RunMapping(Supplier<String> publicUrl, Clock clock) {
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** A run as the API shows it. */
    RunItem item(RunRow r, List<ArtifactItem> artifacts) {
        AmbientAgentConfig config = JsonColumns.read(r.configJson(), AmbientAgentConfig.class);
        return new RunItem(r.id(), r.id(), r.title(), r.state(), r.executionLocation(), r.prompt(),
                Times.instant(r.createdAt()), Times.instant(r.updatedAt()), Times.instantOrNull(r.startedAt()),
                JsonColumns.read(r.statusMessageJson(), RunStatusMessage.class), r.source(),
                JsonColumns.read(r.scheduleJson(), ScheduleInfo.class), r.sessionId(),
                publicUrl.get() + "/sessions/" + r.sessionId(),
                triggerUrl(r), new RunCreatorInfo(r.creatorKind(), r.creatorId(), r.creatorName(), r.creatorEmail(), null),
                r.requestUsageJson() == null ? null : usage(r.requestUsageJson()), config,
                r.conversationId(), r.parentRunId(), r.sandboxRunning(), artifacts,
                JsonColumns.read(r.agentSkillJson(), AgentSkill.class), new Scope(r.ownerType(), r.ownerId()),
                r.interactive(), readStringMap(r.metadataJson()), r.agentIdentityId(),
                // a run executes as its creator (for a run acting as an agent identity, that identity)
                new RunCreatorInfo(r.creatorKind(), r.creatorId(), r.creatorName(), r.creatorEmail(), null),
                // the server can stop any run a worker executes; a LOCAL run's client executes it (cancel is 422)
                r.executionLocation() == RunExecutionLocation.REMOTE,
                runTime(r, clock.instant()));
    }

    /**
     * The spec's {@code trigger_url}: for a run a repository event started, the comment (or, for a label, the issue)
     * that started it, recorded in its metadata by the integration; only such runs' sources can say so, since the API
     * refuses them in {@code X-Drover-Source}.
     */
    private static String triggerUrl(RunRow r) {
        if (r.source() != RunSourceType.GITHUB_WEBHOOK && r.source() != RunSourceType.GITLAB_WEBHOOK) {
            return null;
        }
        Map<String, String> metadata = readStringMap(r.metadataJson());
        return metadata == null ? null : metadata.getOrDefault("drover.forge_comment_url",
                metadata.get("drover.forge_issue_url"));
    }

    /**
     * The newer SDK's {@code run_time}: how long the agent has worked on the run, from {@code started_at} to its
     * end (its last update, for a finished run) or to now, as an ISO 8601 duration in whole seconds; absent before
     * it starts.
     */
    static String runTime(RunRow r, Instant now) {
        return r.startedAt() == null ? null
                : runTime(Times.instant(r.startedAt()), r.state().isTerminal() ? Times.instant(r.updatedAt()) : now);
    }

    private static String runTime(Instant started, Instant end) {
        java.time.Duration d = java.time.Duration.between(started, end);
        return (d.isNegative() ? java.time.Duration.ZERO : d).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** A run shown earlier, as it reads now: the only part of a run's answer that changes by itself is its run time. */
    RunItem now(RunItem item) {
        return item.startedAt() == null || item.state().isTerminal() ? item
                : item.withRunTime(runTime(item.startedAt(), clock.instant()));
    }

    /** A run's stored usage, with rows written before the USD fields existed (their inference_cost was USD) read as such. */
    static RequestUsage usage(String json) {
        return Usage.normalized(json == null ? null : JsonColumns.read(json, RequestUsage.class));
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> readStringMap(String json) {
        return json == null ? null : JsonColumns.read(json, Map.class);
    }
}
