package dev.drover.server.runs;

import dev.drover.api.ArtifactType;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.QueryParams;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.TreeMap;

/**
 * A runs listing as asked for in a query string ({@code GET /agent/runs}, and the dashboard's {@code /runs}, which
 * renders its first page on the server): one parser, so that both read the same filters with the same 400s.
 */
public final class RunListQuery {
    final RunFilter filter;
    final RunSort sort;
    final boolean descending;
    final int limit;
    final String cursor;

    private RunListQuery(RunFilter filter, RunSort sort, boolean descending, int limit, String cursor) {
        this.filter = filter;
        this.sort = sort;
        this.descending = descending;
        this.limit = limit;
        this.cursor = cursor;
    }

    /** The listing the request's query string asks for; a bad parameter is a 400 naming it. */
    public static RunListQuery parse(ServerRequest req, int defaultLimit) {
        QueryParams q = new QueryParams(req);
        int limit = q.intInRange("limit", 1, 500, defaultLimit);
        RunSort sort = q.string("sort_by").map(v -> {
            RunSort s = RunSort.ofWire(v);
            if (s == null) {
                throw ApiException.badRequest("sort_by", "unknown value \"" + v + "\"; one of updated_at, created_at, title, agent");
            }
            return s;
        }).orElse(RunSort.UPDATED_AT);
        boolean descending = q.string("sort_order").map(v -> switch (v) {
            case "asc" -> false;
            case "desc" -> true;
            default -> throw ApiException.badRequest("sort_order", "unknown value \"" + v + "\"; one of asc, desc");
        }).orElse(true);
        String skill = q.string("skill").orElse(null);
        String skillSpec = q.string("skill_spec").orElse(null);
        if (skill != null && skillSpec != null && !skill.equals(skillSpec)) {
            throw ApiException.badRequest("skill", "differs from skill_spec; they are aliases, give one");
        }
        // A filter that could never match (a key no run can have) or that would be silently ignored (no brackets)
        // is a mistake of the caller, not an empty result.
        if (req.query().contains("metadata")) {
            throw ApiException.badRequest("metadata", "filter with metadata[key]=value");
        }
        TreeMap<String, String> metadata = new TreeMap<>();
        for (String[] pair : q.bracketed("metadata")) {
            if (!RunRequests.isMetadataKey(pair[0])) {
                throw ApiException.badRequest("metadata[" + pair[0] + "]", "keys are 1 to 64 characters of [a-zA-Z0-9._-]");
            }
            if (metadata.put(pair[0], pair[1]) != null) {
                throw ApiException.badRequest("metadata[" + pair[0] + "]", "given more than once");
            }
        }
        // the newer SDK's automation_id: "runs stamped with the automation_id metadata key at creation time"
        String automation = q.string("automation_id").orElse(null);
        if (automation != null && metadata.containsKey("automation_id") && !metadata.get("automation_id").equals(automation)) {
            throw ApiException.badRequest("automation_id", "differs from metadata[automation_id]; give one");
        }
        if (automation != null) {
            metadata.put("automation_id", automation);
        }
        if (metadata.size() > RunRequests.MAX_METADATA_PAIRS) {
            throw ApiException.badRequest("metadata", "at most " + RunRequests.MAX_METADATA_PAIRS + " filters");
        }
        String query = q.string("q").orElse(null);
        if (query != null && query.length() > 256) {
            throw ApiException.badRequest("q", "must be at most 256 characters");
        }
        // factories are out of Drover's scope: no run was executed by a factory's agent, so a factory filter (the
        // SDK: "a UID outside the caller's accessible factories matches nothing") selects nothing; the SDK's
        // EXTERNAL_REFERENCE artifacts are never produced by Drover, likewise
        String nothing = null;
        if (!q.strings("factory_uid").isEmpty()) {
            nothing = "factory_uid";
        }
        if (q.bool("factory_only").orElse(false)) {
            nothing = "factory_only";
        }
        ArtifactType artifactType = null;
        String artifact = q.string("artifact_type").orElse(null);
        if ("EXTERNAL_REFERENCE".equals(artifact)) {
            nothing = "artifact_type";
        } else if (artifact != null) {
            artifactType = QueryParams.parseEnum("artifact_type", artifact, ArtifactType.class);
        }
        RunFilter filter = new RunFilter(
                q.enumValues("state", RunState.class),
                q.string("name").orElse(null),
                q.string("model_id").orElse(null),
                q.string("creator").orElse(null),
                q.enumValues("source", RunSourceType.class),
                q.enumValue("execution_location", RunExecutionLocation.class).orElse(null),
                q.timestamp("created_after").orElse(null),
                q.timestamp("created_before").orElse(null),
                q.timestamp("updated_after").orElse(null),
                q.string("environment_id").orElse(null),
                skill != null ? skill : skillSpec,
                q.string("schedule_id").orElse(null),
                q.string("ancestor_run_id").orElse(null),
                metadata,
                artifactType,
                query,
                q.string("executor").orElse(null),
                nothing,
                taskStatuses(q),
                req.headers().first(HeaderNames.create(RunsService.TEAM_HEADER)).orElse(null));
        String cursor = q.string("cursor").orElse(null);
        return new RunListQuery(filter, sort, descending, limit, cursor);
    }

    /** The newer SDK's {@code task_status}: repeated, any of running, failed, blocked, cancelled, complete. */
    private static java.util.List<String> taskStatuses(QueryParams q) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String v : q.strings("task_status")) {
            if (!v.equals("running") && !RunListSql.TASK_STATES.containsKey(v)) {
                throw ApiException.badRequest("task_status", "unknown value \"" + (v.length() > 64 ? v.substring(0, 64) : v)
                        + "\"; one of running, failed, blocked, cancelled, complete");
            }
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }
}
