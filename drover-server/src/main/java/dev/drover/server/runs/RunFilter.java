package dev.drover.server.runs;

import dev.drover.api.ArtifactType;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/**
 * The filters of {@code GET /agent/runs}, already validated. {@code environmentId} equal to
 * {@link #EMPTY_ENVIRONMENT} selects runs with no environment. {@code sources} matches any of them. {@code executor}
 * is who executed the run: in Drover always its creator. {@code matchesNothing} says why a filter selects no run
 * at all (a factory, an artifact type Drover never produces), null otherwise: such a filter is honoured by an
 * empty list, never by being ignored. {@code taskStatuses} are the newer SDK's high-level statuses (any of them);
 * {@code team} the team of the SDK's {@code X-Warp-Team-Uid} header: the listing is of that team's runs and the
 * caller's own.
 */
record RunFilter(
        List<RunState> states,
        String name,
        String modelId,
        String creator,
        List<RunSourceType> sources,
        RunExecutionLocation executionLocation,
        Instant createdAfter,
        Instant createdBefore,
        Instant updatedAfter,
        String environmentId,
        String skillSpec,
        String scheduleId,
        String ancestorRunId,
        SortedMap<String, String> metadata,
        ArtifactType artifactType,
        String q,
        String executor,
        String matchesNothing,
        List<String> taskStatuses,
        String team) {

    static final String EMPTY_ENVIRONMENT = "empty-environment";

    /** Whether the filter selects by {@code metadata} pairs and nothing else: tests of the run's id alone. */
    boolean onlyMetadata() {
        return !metadata.isEmpty() && states.isEmpty() && name == null && modelId == null && creator == null
                && sources.isEmpty() && executionLocation == null && createdAfter == null && createdBefore == null
                && updatedAfter == null && environmentId == null && skillSpec == null && scheduleId == null
                && ancestorRunId == null && artifactType == null && q == null && executor == null
                && matchesNothing == null && taskStatuses.isEmpty();
    }

    RunFilter withAncestor(String runId) {
        return new RunFilter(states, name, modelId, creator, sources, executionLocation, createdAfter, createdBefore,
                updatedAfter, environmentId, skillSpec, scheduleId, runId, metadata, artifactType, q, executor,
                matchesNothing, taskStatuses, team);
    }
}
