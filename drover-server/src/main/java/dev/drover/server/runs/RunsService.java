package dev.drover.server.runs;

import dev.drover.api.FollowupRequest;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.Redactor;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import dev.drover.server.http.UnsupportedFields;
import dev.drover.server.secrets.JsonRedaction;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;

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
    private final ChildRunSecrets secrets;
    private final Followups followups;
    private final RunAttachments attachments;

    public RunsService(Runs runs, WorkerPools pools, ChildRunSecrets secrets, Followups followups,
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
                : JsonBodies.read(req, FollowupRequest.class, tree -> JsonRedaction.redact(tree, redactor));
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
            return redactor.isEmpty() ? tree : JsonRedaction.redact(tree, redactor);
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
        JsonBodies.send(res, runs.list(RequestContext.principal(req), RunListQuery.parse(req, 20)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.sendEncoded(res, runs.getJson(RequestContext.principal(req), req.path().pathParameters().get("runId")));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, runs.cancel(RequestContext.principal(req), req.path().pathParameters().get("runId")));
    }
}
