package dev.drover.client;

import static dev.drover.client.DroverTransport.path;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.ArtifactUpload;
import dev.drover.api.ClaimedRun;
import dev.drover.api.HeartbeatRequest;
import dev.drover.api.HeartbeatResponse;
import dev.drover.api.LeaseStatus;
import dev.drover.api.ReportEventRequest;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RepositoryDiff;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.TranscriptAppend;
import dev.drover.api.UsageReport;
import dev.drover.api.UsageStatus;
import dev.drover.api.WorkerInfo;
import dev.drover.api.WorkerRegistration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The worker protocol (docs/workers.md) with a worker key: register, claim, accept, heartbeat, and the reports of a
 * run the worker holds (lifecycle events, transcript, artifacts, usage, deliveries). The Oz API the worker needs
 * besides — with its own key ({@link #api()}) or as the run's agent with the run's token ({@link #asRun}) — is a
 * {@link DroverClient} over the same transport.
 */
public final class DroverWorkerClient {
    private final DroverTransport transport;
    /** How long a report is retried through an outage; zero: the transport's three attempts. */
    private volatile Duration reportRetries = Duration.ZERO;

    public DroverWorkerClient(String baseUrl, String workerKey) {
        this(new DroverTransport(baseUrl, workerKey, Map.of()));
    }

    public DroverWorkerClient(DroverTransport transport) {
        this.transport = transport;
    }

    public String baseUrl() {
        return transport.baseUrl();
    }

    /** The Oz API with the worker's own key (e.g. the model catalogue). */
    public DroverClient api() {
        return new DroverClient(transport);
    }

    /** The Oz API as the agent of a claimed run sees it: the same server with the run's token. */
    public DroverClient asRun(String runToken) {
        return new DroverClient(transport.withKey(runToken));
    }

    /**
     * Makes this client retry its reports (lifecycle events, transcript appends, artifacts, usage, deliveries) for up
     * to {@code budget} while the server cannot be reached or answers 429/5xx, with a back-off growing to 2 s: a
     * worker keeps its results through a control-plane outage instead of dropping them. Every such report is safe to
     * repeat — lifecycle events carry the claim's execution id, the other writes an {@code Idempotency-Key} chosen
     * once per report — so a retry after a request that did commit (its answer lost) changes nothing.
     */
    public DroverWorkerClient reportRetries(Duration budget) {
        this.reportRetries = budget;
        return this;
    }

    public WorkerInfo registerWorker(WorkerRegistration registration) {
        return transport.send("POST", "/workers", registration, Map.of(), true, transport.type(WorkerInfo.class));
    }

    /** A leased run (PENDING), or empty when none arrived within {@code waitSeconds}. */
    public Optional<ClaimedRun> claim(String workerId, int waitSeconds) {
        return claim(workerId, waitSeconds, false);
    }

    /** A leased run, already taken over (CLAIMED) with {@code accept}; empty when none arrived in time. */
    public Optional<ClaimedRun> claim(String workerId, int waitSeconds, boolean accept) {
        return Optional.ofNullable(transport.send("POST", "/workers/" + path(workerId) + "/claim?wait=" + waitSeconds
                + (accept ? "&accept=true" : ""), null, Map.of(), false, transport.type(ClaimedRun.class)));
    }

    public LeaseStatus accept(String workerId, String runId) {
        return transport.send("POST", runPath(workerId, runId) + "/accept", null, Map.of(), true,
                transport.type(LeaseStatus.class));
    }

    public HeartbeatResponse heartbeat(String workerId, List<String> runIds) {
        return transport.send("POST", "/workers/" + path(workerId) + "/heartbeat", new HeartbeatRequest(runIds),
                Map.of(), true, transport.type(HeartbeatResponse.class));
    }

    /**
     * A heartbeat the server holds for up to {@code waitSeconds} unless one of the runs is to be stopped (cancel
     * requested, lease lost): how a worker learns of a cancel the moment it is made. A server that does not know
     * {@code wait} answers at once, as to a plain heartbeat.
     */
    public HeartbeatResponse heartbeat(String workerId, List<String> runIds, int waitSeconds) {
        return transport.send("POST", "/workers/" + path(workerId) + "/heartbeat?wait=" + waitSeconds,
                new HeartbeatRequest(runIds), Map.of(), true, transport.type(HeartbeatResponse.class));
    }

    /**
     * A lifecycle report for the execution the claim named ({@code ClaimedRun.execution_id}): refused (409) once that
     * execution no longer holds the run; a repeat of a report that took effect answers it again, so it is retried
     * through outages (see {@link #reportRetries}).
     */
    public ReportEventResponse reportEvent(String runId, String executionId, String eventType, RunStatusMessage status) {
        return report("POST", "/agent/events/" + path(runId), new ReportEventRequest(eventType, executionId, null, status),
                Map.of(), transport.type(ReportEventResponse.class));
    }

    public ReportEventResponse appendTranscript(String workerId, String runId, TranscriptAppend messages) {
        return appendTranscript(workerId, runId, null, messages);
    }

    /** Appends to the transcript of a run held by {@code executionId} (null: by this worker, any attempt). */
    public ReportEventResponse appendTranscript(String workerId, String runId, String executionId,
            TranscriptAppend messages) {
        return report("POST", runPath(workerId, runId) + "/transcript", messages, writeHeaders(executionId),
                transport.type(ReportEventResponse.class));
    }

    public String recordArtifact(String workerId, String runId, ArtifactUpload artifact) {
        return recordArtifact(workerId, runId, null, artifact);
    }

    public String recordArtifact(String workerId, String runId, String executionId, ArtifactUpload artifact) {
        JsonNode reply = report("POST", runPath(workerId, runId) + "/artifacts", artifact, writeHeaders(executionId),
                transport.type(JsonNode.class));
        return reply.get("artifact_uid").asText();
    }

    public UsageStatus recordUsage(String workerId, String runId, UsageReport usage) {
        return recordUsage(workerId, runId, null, usage);
    }

    public UsageStatus recordUsage(String workerId, String runId, String executionId, UsageReport usage) {
        return report("POST", runPath(workerId, runId) + "/usage", usage, writeHeaders(executionId),
                transport.type(UsageStatus.class));
    }

    /** Reports what became of one repository's changes (its commit, push and diff) for a run the worker holds. */
    public void reportDelivery(String workerId, String runId, String executionId, RepositoryDiff diff) {
        report("POST", runPath(workerId, runId) + "/deliveries", diff, writeHeaders(executionId),
                transport.type(JsonNode.class));
    }

    /** The bytes of attachment {@code position} of a run the worker holds. */
    public byte[] attachment(String workerId, String runId, int position) {
        return transport.bytes(runPath(workerId, runId) + "/attachments/" + position, "*/*",
                "attachment " + position + " of run " + runId);
    }

    public void sandboxStopped(String workerId, String runId) {
        transport.send("POST", runPath(workerId, runId) + "/sandbox-stopped", null, Map.of(), true,
                transport.type(JsonNode.class));
    }

    private static String runPath(String workerId, String runId) {
        return "/workers/" + path(workerId) + "/runs/" + path(runId);
    }

    /** A worker write's headers: a report id chosen once for all its retries, and the execution it belongs to. */
    private static Map<String, String> writeHeaders(String executionId) {
        String reportId = UUID.randomUUID().toString();
        return executionId == null ? Map.of("Idempotency-Key", reportId)
                : Map.of("Idempotency-Key", reportId, "X-Drover-Execution-Id", executionId);
    }

    /**
     * Sends a report, retried on connection failures, 429 and 5xx for up to {@link #reportRetries} (at least the
     * transport's three attempts). Only idempotent reports come here.
     */
    private <T> T report(String method, String path, Object body, Map<String, String> headers, JavaType type) {
        long deadline = System.nanoTime() + reportRetries.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return transport.send(method, path, body, headers, true, type);
            } catch (DroverApiException e) {
                if (!(e.status() == 429 || e.status() >= 500) || System.nanoTime() > deadline) {
                    throw e;
                }
            } catch (IllegalStateException e) {
                if (Thread.currentThread().isInterrupted() || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(Math.min(2000L, 250L * attempt)); // a retry loop's back-off through an outage
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
