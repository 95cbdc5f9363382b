package dev.drover.server.workers;

import dev.drover.api.ArtifactUpload;
import dev.drover.api.HeartbeatRequest;
import dev.drover.api.RepositoryDiff;
import dev.drover.api.TranscriptAppend;
import dev.drover.api.UsageReport;
import dev.drover.api.WorkerRegistration;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.store.Ids;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.List;

/** {@code /workers}: the worker protocol (see docs/workers.md). Drover's own, not part of the Oz API. */
public final class WorkersService implements HttpService {
    static final int MAX_CLAIM_WAIT_SECONDS = 60;
    private final Workers workers;

    public WorkersService(Workers workers) {
        this.workers = workers;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/workers", this::register)
                .get("/workers", this::list)
                .post("/workers/{workerId}/claim", this::claim)
                .post("/workers/{workerId}/runs/{runId}/accept", this::accept)
                .post("/workers/{workerId}/heartbeat", this::heartbeat)
                .post("/workers/{workerId}/runs/{runId}/transcript", this::transcript)
                .post("/workers/{workerId}/runs/{runId}/artifacts", this::artifact)
                .post("/workers/{workerId}/runs/{runId}/usage", this::usage)
                .post("/workers/{workerId}/runs/{runId}/deliveries", this::delivery)
                .post("/workers/{workerId}/runs/{runId}/sandbox-stopped", this::sandboxStopped)
                .get("/workers/{workerId}/runs/{runId}/attachments/{position}", this::attachment);
    }

    private void register(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.register(RequestContext.principal(req), JsonBodies.read(req, WorkerRegistration.class)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.list(RequestContext.principal(req)));
    }

    /**
     * 200 with the claimed run, or 204 when none arrived within {@code wait} seconds; {@code accept=true} takes
     * the run over at once (CLAIMED), as a separate accept would.
     */
    private void claim(ServerRequest req, ServerResponse res) throws InterruptedException {
        QueryParams q = new QueryParams(req);
        int wait = q.intInRange("wait", 0, MAX_CLAIM_WAIT_SECONDS, 0);
        var claimed = workers.claim(RequestContext.principal(req), req.path().pathParameters().get("workerId"),
                Duration.ofSeconds(wait), q.bool("accept").orElse(false));
        if (claimed.isPresent()) {
            JsonBodies.send(res, claimed.get());
        } else {
            res.status(Status.NO_CONTENT_204).send();
        }
    }

    private void accept(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.accept(RequestContext.principal(req), req.path().pathParameters().get("workerId"),
                req.path().pathParameters().get("runId")));
    }

    private void transcript(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.appendTranscript(RequestContext.principal(req),
                req.path().pathParameters().get("workerId"), req.path().pathParameters().get("runId"),
                JsonBodies.readRecordedOutput(req, TranscriptAppend.class), executionId(req), reportId(req)));
    }

    private void artifact(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.recordArtifact(RequestContext.principal(req),
                req.path().pathParameters().get("workerId"), req.path().pathParameters().get("runId"),
                JsonBodies.read(req, ArtifactUpload.class), executionId(req), reportId(req)));
    }

    /** Diffs are recorded output: a NUL in a changed file's text becomes U+FFFD rather than failing the report. */
    private void delivery(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.recordDelivery(RequestContext.principal(req),
                req.path().pathParameters().get("workerId"), req.path().pathParameters().get("runId"),
                JsonBodies.readRecordedOutput(req, RepositoryDiff.class), executionId(req), reportId(req)));
    }

    private void usage(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, workers.recordUsage(RequestContext.principal(req),
                req.path().pathParameters().get("workerId"), req.path().pathParameters().get("runId"),
                JsonBodies.read(req, UsageReport.class), executionId(req), reportId(req)));
    }

    /** The claim's execution id a worker names its writes with; see docs/workers.md. */
    static final io.helidon.http.HeaderName EXECUTION_ID = io.helidon.http.HeaderNames.create("X-Drover-Execution-Id");
    static final io.helidon.http.HeaderName IDEMPOTENCY_KEY = io.helidon.http.HeaderNames.create("Idempotency-Key");

    private static String executionId(ServerRequest req) {
        return req.headers().first(EXECUTION_ID).orElse(null);
    }

    private static String reportId(ServerRequest req) {
        return req.headers().first(IDEMPOTENCY_KEY).orElse(null);
    }

    private void attachment(ServerRequest req, ServerResponse res) {
        Workers.AttachmentBytes a = workers.attachment(RequestContext.principal(req),
                req.path().pathParameters().get("workerId"), req.path().pathParameters().get("runId"),
                req.path().pathParameters().get("position"));
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, a.mimeType()).send(a.bytes());
    }

    private void sandboxStopped(ServerRequest req, ServerResponse res) {
        workers.sandboxStopped(RequestContext.principal(req), req.path().pathParameters().get("workerId"),
                req.path().pathParameters().get("runId"));
        res.status(Status.NO_CONTENT_204).send();
    }

    /** {@code wait} (seconds, optional): hold the answer until a run is to be stopped; see Workers#heartbeat. */
    private void heartbeat(ServerRequest req, ServerResponse res) throws InterruptedException {
        HeartbeatRequest body = JsonBodies.read(req, HeartbeatRequest.class);
        List<String> ids = body.runIds() == null ? List.of() : body.runIds();
        if (ids.size() > 1024) {
            throw ApiException.badRequest("run_ids", "at most 1024 run ids");
        }
        for (int i = 0; i < ids.size(); i++) {
            if (!Ids.isUuid(ids.get(i))) { // a heartbeat names runs the worker holds: anything else is a client bug
                throw ApiException.badRequest("run_ids[" + i + "]", "must be a run id");
            }
        }
        int wait = new QueryParams(req).intInRange("wait", 0, MAX_CLAIM_WAIT_SECONDS, 0);
        JsonBodies.send(res, workers.heartbeat(RequestContext.principal(req), req.path().pathParameters().get("workerId"),
                ids, Duration.ofSeconds(wait)));
    }
}
