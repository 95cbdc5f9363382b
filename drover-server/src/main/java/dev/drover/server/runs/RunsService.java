package dev.drover.server.runs;

import dev.drover.api.ArtifactType;
import dev.drover.api.FollowupRequest;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import dev.drover.api.Redactor;
import dev.drover.server.auth.Principal;
import dev.drover.server.secrets.RunSecrets;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.http.RequestContext;
import dev.drover.server.http.UnsupportedFields;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.TreeMap;

/** {@code /agent/run} and {@code /agent/runs}: create, list, get, cancel, follow up, handoff attachments. */
public final class RunsService implements HttpService {
    /** Drover extension: lets first-party clients (the CLI) record where a run came from. */
    static final String SOURCE_HEADER = "X-Drover-Source";
    /** Drover extension: a run executed by its own client, which reports its lifecycle through events. */
    static final String LOCATION_HEADER = "X-Drover-Execution-Location";
    /** The newer SDK's active team (its {@code team_uid} parameter), sent on list requests. */
    static final String TEAM_HEADER = "X-Warp-Team-Uid";

    private final Runs runs;
    private final WorkerPools pools;
    private final RunSecrets secrets;
    private final Followups followups;
    private final RunAttachments attachments;

    public RunsService(Runs runs, WorkerPools pools, RunSecrets secrets, Followups followups,
            RunAttachments attachments) {
        this.runs = runs;
        this.secrets = secrets;
        this.pools = pools;
        this.followups = followups;
        this.attachments = attachments;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/agent/run", this::create) // deprecated alias, identical behaviour
                .post("/agent/runs", this::create)
                .get("/agent/runs", this::list)
                .get("/agent/runs/{runId}", this::get)
                .post("/agent/runs/{runId}/cancel", this::cancel)
                .post("/agent/runs/{runId}/followups", this::followup)
                .get("/agent/runs/{runId}/handoff/attachments", this::handoffAttachments);
    }

    private void followup(ServerRequest req, ServerResponse res) {
        Principal caller = RequestContext.principal(req);
        // an agent following up a run below its own: its secrets' values are redacted from the message
        Redactor redactor = secrets.redactorFor(caller);
        FollowupRequest body = redactor.isEmpty() ? JsonBodies.read(req, FollowupRequest.class)
                : JsonBodies.read(req, FollowupRequest.class, tree -> RunSecrets.redact(tree, redactor));
        String key = req.headers().first(HeaderNames.create("Idempotency-Key")).orElse(null);
        JsonBodies.send(res, followups.submit(caller, req.path().pathParameters().get("runId"), body, key));
    }

    private void handoffAttachments(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, attachments.list(RequestContext.principal(req), req.path().pathParameters().get("runId")));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal caller = RequestContext.principal(req);
        // an agent (run-scoped token) creating a child run: its secrets' values are redacted from what it sends
        Redactor redactor = secrets.redactorFor(caller);
        RunAgentRequest body = JsonBodies.read(req, RunAgentRequest.class, tree -> {
            UnsupportedFields.refuse(tree, RunRequests.unsupportedConfigFields("config"), RunRequests.UNSUPPORTED);
            return redactor.isEmpty() ? tree : RunSecrets.redact(tree, redactor);
        });
        secrets.checkNewRun(caller, body.config(), "config");
        String key = req.headers().first(HeaderNames.create("Idempotency-Key")).orElse(null);
        RunSourceType source = req.headers().first(HeaderNames.create(SOURCE_HEADER))
                .map(v -> QueryParams.parseEnum(SOURCE_HEADER, v.toUpperCase(Locale.ROOT), RunSourceType.class))
                .orElse(RunSourceType.API);
        if (source == RunSourceType.SCHEDULED_AGENT) {
            throw ApiException.badRequest(SOURCE_HEADER, "SCHEDULED_AGENT runs are created by schedules only");
        }
        if (source == RunSourceType.GITHUB_WEBHOOK || source == RunSourceType.GITLAB_WEBHOOK) {
            // a run claiming to come from a forge would be trusted as such (its issue and comment links)
            throw ApiException.badRequest(SOURCE_HEADER, source + " runs are created by signed repository events only");
        }
        RunExecutionLocation location = req.headers().first(HeaderNames.create(LOCATION_HEADER))
                .map(v -> QueryParams.parseEnum(LOCATION_HEADER, v.toUpperCase(Locale.ROOT), RunExecutionLocation.class))
                .orElse(RunExecutionLocation.REMOTE);
        if (location == RunExecutionLocation.REMOTE) { // a LOCAL run is executed by its client, not by a pool
            RunRequests.poolWarning("config", body.config(), pools).ifPresent(w -> warn(res, w));
        }
        JsonBodies.send(res, runs.create(caller, body, key, new Runs.Origin(source, location, null)));
    }

    /** An RFC 9110 style warning on an accepted request (the {@code Warning} header, code 199: miscellaneous). */
    public static void warn(ServerResponse res, String text) {
        res.header(HeaderNames.create("Warning"), "199 drover \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    private void list(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        int limit = q.intInRange("limit", 1, 500, 20);
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
                req.headers().first(HeaderNames.create(TEAM_HEADER)).orElse(null));
        String cursor = q.string("cursor").orElse(null);
        JsonBodies.send(res, runs.list(RequestContext.principal(req), filter, sort, descending, limit, cursor));
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

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, runs.get(RequestContext.principal(req), req.path().pathParameters().get("runId")));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, runs.cancel(RequestContext.principal(req), req.path().pathParameters().get("runId")));
    }
}
