package dev.drover.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.ClaimedRun;
import dev.drover.api.CreateScheduledAgentRequest;
import dev.drover.api.DeleteScheduledAgentResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.ArtifactUpload;
import dev.drover.api.CloudEnvironment;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.ConversationResponse;
import dev.drover.api.CreateEnvironmentRequest;
import dev.drover.api.AgentIdentity;
import dev.drover.api.CreateAgentIdentityRequest;
import dev.drover.api.CreateSecretRequest;
import dev.drover.api.ListAgentIdentitiesResponse;
import dev.drover.api.UpdateAgentIdentityRequest;
import dev.drover.api.ListSecretsResponse;
import dev.drover.api.ManagedSecret;
import dev.drover.api.UpdateSecretRequest;
import dev.drover.api.ListEnvironmentsResponse;
import dev.drover.api.HeartbeatRequest;
import dev.drover.api.TranscriptAppend;
import dev.drover.api.UpdateScheduledAgentRequest;
import dev.drover.api.UsageReport;
import dev.drover.api.UsageStatus;
import dev.drover.api.HeartbeatResponse;
import dev.drover.api.Json;
import dev.drover.api.LeaseStatus;
import dev.drover.api.ReportEventRequest;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.PageInfo;
import dev.drover.api.WebhookRecords;
import dev.drover.api.WorkerInfo;
import dev.drover.api.WorkerRegistration;
import dev.drover.api.ListAgentsResponse;
import dev.drover.api.ListModelsResponse;
import dev.drover.api.FollowupRequest;
import dev.drover.api.FollowupResponse;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.ListScheduledAgentsResponse;
import dev.drover.api.Message;
import dev.drover.api.MessageHeader;
import dev.drover.api.Problem;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunEvent;
import dev.drover.api.RunItem;
import dev.drover.api.ScheduledAgentItem;
import dev.drover.api.SendMessageRequest;
import dev.drover.api.SendMessageResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterators;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A typed client for Drover's API (and any Oz-compatible server). Creation is idempotent: each call carries an
 * {@code Idempotency-Key} and is retried with the same key on connection failures (including a connection lost
 * before the answer arrived), 429 and 5xx, so a retry never creates a second run. Reads are retried the same way;
 * other calls are sent once.
 */
public final class DroverClient {
    private static final int ATTEMPTS = 3;
    private final HttpClient http;
    private final String base;
    private final String key;
    private final Map<String, String> extraHeaders;
    private final ObjectMapper json = Json.mapper();
    /** How long a worker's report is retried through an outage; zero: the default three attempts. */
    private volatile Duration reportRetries = Duration.ZERO;

    public DroverClient(String baseUrl, String apiKey) {
        this(baseUrl, apiKey, Map.of());
    }

    /** @param extraHeaders sent with every request (the CLI sends {@code X-Drover-Source: CLI}) */
    public DroverClient(String baseUrl, String apiKey, Map<String, String> extraHeaders) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("server URL is required (DROVER_URL, e.g. http://127.0.0.1:8080/api/v1)");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("API key is required (DROVER_API_KEY)");
        }
        this.base = normalise(baseUrl);
        this.key = apiKey;
        this.extraHeaders = Map.copyOf(extraHeaders);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** From {@code DROVER_URL}/{@code DROVER_API_KEY}, falling back to {@code OZ_API_BASE_URL}/{@code WARP_API_KEY}. */
    public static DroverClient fromEnvironment() {
        Map<String, String> env = System.getenv();
        return new DroverClient(firstOf(env, "DROVER_URL", "OZ_API_BASE_URL"), firstOf(env, "DROVER_API_KEY", "WARP_API_KEY"));
    }

    public static String firstOf(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** Accepts {@code http://host:port} as well as {@code http://host:port/api/v1}. */
    static String normalise(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return u.endsWith("/api/v1") ? u : u + "/api/v1";
    }

    public String baseUrl() {
        return base;
    }

    /**
     * Makes this client retry a worker's reports (lifecycle events, transcript appends, artifacts, usage) for up to
     * {@code budget} while the server cannot be reached or answers 429/5xx, with a back-off growing to 2 s: a worker
     * keeps its results through a control-plane outage instead of dropping them. Every such report is safe to repeat —
     * lifecycle events carry the claim's execution id, the other writes an {@code Idempotency-Key} chosen once per
     * report — so a retry after a request that did commit (its answer lost) changes nothing.
     */
    public DroverClient reportRetries(Duration budget) {
        this.reportRetries = budget;
        return this;
    }

    public RunAgentResponse createRun(RunAgentRequest request) {
        return send("POST", "/agent/runs", request, Map.of("Idempotency-Key", UUID.randomUUID().toString()), true,
                type(RunAgentResponse.class));
    }

    public RunItem getRun(String runId) {
        return send("GET", "/agent/runs/" + path(runId), null, Map.of(), true, type(RunItem.class));
    }

    public ListRunsResponse listRuns(RunQuery query, String cursor) {
        return send("GET", "/agent/runs" + query.encode(cursor), null, Map.of(), true, type(ListRunsResponse.class));
    }

    /** Every run the query selects, fetching pages lazily by following {@code next_cursor}. */
    public Stream<RunItem> runs(RunQuery query) {
        Iterator<RunItem> it = new Iterator<>() {
            private Iterator<RunItem> page = List.<RunItem>of().iterator();
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !last) {
                    ListRunsResponse r = listRuns(query, cursor);
                    page = r.runs().iterator();
                    last = !r.pageInfo().hasNextPage();
                    cursor = r.pageInfo().nextCursor();
                }
                return page.hasNext();
            }

            @Override
            public RunItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, 0), false);
    }

    /**
     * Another turn of a run with {@code message} ({@code mode}: normal, plan or orchestrate; null for normal). Sent
     * with an {@code Idempotency-Key} and retried like run creation, so a lost answer never adds the message twice.
     */
    public FollowupResponse followUp(String runId, String message, String mode) {
        return send("POST", "/agent/runs/" + path(runId) + "/followups", new FollowupRequest(message, mode),
                Map.of("Idempotency-Key", UUID.randomUUID().toString()), true, type(FollowupResponse.class));
    }

    public String cancelRun(String runId) {
        return send("POST", "/agent/runs/" + path(runId) + "/cancel", null, Map.of(), false, type(String.class));
    }

    /** {@code sortBy}: {@code name} or {@code last_updated} (the server's default when null). */
    public ListEnvironmentsResponse listEnvironments(String sortBy) {
        String q = sortBy == null ? "" : "?sort_by=" + URLEncoder.encode(sortBy, StandardCharsets.UTF_8);
        return send("GET", "/agent/environments" + q, null, Map.of(), true, type(ListEnvironmentsResponse.class));
    }

    public CloudEnvironment getEnvironment(String uid) {
        return send("GET", "/agent/environments/" + path(uid), null, Map.of(), true, type(CloudEnvironment.class));
    }

    /** Sent once: a retried creation could make two environments. */
    public CloudEnvironment createEnvironment(CreateEnvironmentRequest request) {
        return send("POST", "/agent/environments", request, Map.of(), false, type(CloudEnvironment.class));
    }

    /** Replaces the whole configuration; a replacement is the same however often it is repeated. */
    public CloudEnvironment updateEnvironment(String uid, CloudEnvironmentConfig config) {
        return send("PUT", "/agent/environments/" + path(uid), config, Map.of(), true, type(CloudEnvironment.class));
    }

    public void deleteEnvironment(String uid) {
        send("DELETE", "/agent/environments/" + path(uid), null, Map.of(), false, type(JsonNode.class));
    }

    /** The secrets the caller can see, without their values (no endpoint returns a value). */
    public ListSecretsResponse listSecrets() {
        return send("GET", "/secrets", null, Map.of(), true, type(ListSecretsResponse.class));
    }

    /** Sent once: a retry after a lost answer would be refused as a duplicate name (409). */
    public ManagedSecret createSecret(CreateSecretRequest request) {
        return send("POST", "/secrets", request, Map.of(), false, type(ManagedSecret.class));
    }

    /** Replaces the value (and description); the same however often it is repeated. */
    public ManagedSecret updateSecret(String uid, UpdateSecretRequest request) {
        return send("PUT", "/secrets/" + path(uid), request, Map.of(), true, type(ManagedSecret.class));
    }

    public void deleteSecret(String uid) {
        send("DELETE", "/secrets/" + path(uid), null, Map.of(), false, type(JsonNode.class));
    }

    /** The agent identities of the caller's team ({@code teamId}: which team, for a caller in several; else null). */
    public ListAgentIdentitiesResponse listIdentities(String teamId) {
        return send("GET", "/agent/identities" + (teamId == null ? "" : "?team_id="
                + URLEncoder.encode(teamId, StandardCharsets.UTF_8)), null, Map.of(), true,
                type(ListAgentIdentitiesResponse.class));
    }

    public AgentIdentity getIdentity(String uid) {
        return send("GET", "/agent/identities/" + path(uid), null, Map.of(), true, type(AgentIdentity.class));
    }

    /** Sent once: a retry after a lost answer would create a second identity. */
    public AgentIdentity createIdentity(CreateAgentIdentityRequest request) {
        return send("POST", "/agent/identities", request, Map.of(), false, type(AgentIdentity.class));
    }

    /** A partial update (null fields stay); the same however often it is repeated. */
    public AgentIdentity updateIdentity(String uid, UpdateAgentIdentityRequest request) {
        return send("PUT", "/agent/identities/" + path(uid), request, Map.of(), true, type(AgentIdentity.class));
    }

    public void deleteIdentity(String uid) {
        send("DELETE", "/agent/identities/" + path(uid), null, Map.of(), false, type(JsonNode.class));
    }

    public ListModelsResponse models() {
        return send("GET", "/agent/models", null, Map.of(), true, type(ListModelsResponse.class));
    }

    /** Events of {@code runIds} after {@code since}; with {@code waitSeconds} > 0 the server holds the call until one commits. */
    public List<RunEvent> pollEvents(List<String> runIds, long since, int waitSeconds) {
        StringBuilder q = new StringBuilder("?since=").append(since).append("&wait=").append(waitSeconds);
        runIds.forEach(id -> q.append("&run_ids=").append(URLEncoder.encode(id, StandardCharsets.UTF_8)));
        return send("GET", "/agent/events" + q, null, Map.of(), true,
                json.getTypeFactory().constructType(new TypeReference<List<RunEvent>>() {}));
    }

    /**
     * Follows the events of {@code runIds} over Server-Sent Events from {@code since} until every run has
     * finished, handing each event to {@code onEvent}. Reconnects with {@code Last-Event-ID} if the stream drops.
     */
    public void followEvents(List<String> runIds, long since, java.util.function.Consumer<RunEvent> onEvent) {
        StringBuilder q = new StringBuilder("?until_terminal=true");
        runIds.forEach(id -> q.append("&run_ids=").append(URLEncoder.encode(id, StandardCharsets.UTF_8)));
        long last = since;
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/agent/events/stream" + q))
                    .header("Authorization", "Bearer " + key)
                    .header("Accept", "text/event-stream")
                    .header("Last-Event-ID", Long.toString(last))
                    .build();
            try {
                HttpResponse<java.io.InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() >= 400) {
                    byte[] body = r.body().readAllBytes();
                    throw new DroverApiException(r.statusCode(), json.readValue(body, Problem.class));
                }
                try (java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("data:")) {
                            RunEvent e = json.readValue(line.substring(5).trim(), RunEvent.class);
                            last = e.sequence();
                            onEvent.accept(e);
                        }
                    }
                }
                return; // the server ends the stream once every run has finished
            } catch (IOException e) {
                backoff(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("lost the event stream of " + runIds + " too many times");
    }

    public SendMessageResponse sendMessage(SendMessageRequest request) {
        return send("POST", "/agent/messages", request, Map.of(), false, type(SendMessageResponse.class));
    }

    public List<MessageHeader> inbox(String runId, boolean unreadOnly) {
        return send("GET", "/agent/messages/" + path(runId) + "?unread=" + unreadOnly, null, Map.of(), true,
                json.getTypeFactory().constructType(new TypeReference<List<MessageHeader>>() {}));
    }

    public Message readMessage(String messageId) {
        return send("POST", "/agent/messages/" + path(messageId) + "/read", null, Map.of(), false, type(Message.class));
    }

    // The worker protocol (docs/workers.md); these calls need a worker key.

    public WorkerInfo registerWorker(WorkerRegistration registration) {
        return send("POST", "/workers", registration, Map.of(), true, type(WorkerInfo.class));
    }

    /** A leased run (PENDING), or empty when none arrived within {@code waitSeconds}. */
    public Optional<ClaimedRun> claim(String workerId, int waitSeconds) {
        return claim(workerId, waitSeconds, false);
    }

    /** A leased run, already taken over (CLAIMED) with {@code accept}; empty when none arrived in time. */
    public Optional<ClaimedRun> claim(String workerId, int waitSeconds, boolean accept) {
        return Optional.ofNullable(send("POST", "/workers/" + path(workerId) + "/claim?wait=" + waitSeconds
                + (accept ? "&accept=true" : ""), null, Map.of(), false, type(ClaimedRun.class)));
    }

    public LeaseStatus accept(String workerId, String runId) {
        return send("POST", "/workers/" + path(workerId) + "/runs/" + path(runId) + "/accept", null, Map.of(), true,
                type(LeaseStatus.class));
    }

    public HeartbeatResponse heartbeat(String workerId, List<String> runIds) {
        return send("POST", "/workers/" + path(workerId) + "/heartbeat", new HeartbeatRequest(runIds), Map.of(), true,
                type(HeartbeatResponse.class));
    }

    /**
     * A heartbeat the server holds for up to {@code waitSeconds} unless one of the runs is to be stopped (cancel
     * requested, lease lost): how a worker learns of a cancel the moment it is made. A server that does not know
     * {@code wait} answers at once, as to a plain heartbeat.
     */
    public HeartbeatResponse heartbeat(String workerId, List<String> runIds, int waitSeconds) {
        return send("POST", "/workers/" + path(workerId) + "/heartbeat?wait=" + waitSeconds, new HeartbeatRequest(runIds),
                Map.of(), true, type(HeartbeatResponse.class));
    }

    /** Reports a lifecycle event ({@code run_in_progress}, {@code run_succeeded}, ...) with an optional reason. */
    public ReportEventResponse reportEvent(String runId, String eventType, RunStatusMessage status) {
        return send("POST", "/agent/events/" + path(runId), new ReportEventRequest(eventType, null, null, status),
                Map.of(), false, type(ReportEventResponse.class));
    }

    /**
     * A worker's lifecycle report for the execution its claim named ({@code ClaimedRun.execution_id}): refused (409)
     * once that execution no longer holds the run; a repeat of a report that took effect answers it again, so it
     * is retried through outages (see {@link #reportRetries}).
     */
    public ReportEventResponse reportEvent(String runId, String executionId, String eventType, RunStatusMessage status) {
        return report("POST", "/agent/events/" + path(runId), new ReportEventRequest(eventType, executionId, null, status),
                Map.of(), type(ReportEventResponse.class));
    }

    public ReportEventResponse appendTranscript(String workerId, String runId, TranscriptAppend messages) {
        return appendTranscript(workerId, runId, null, messages);
    }

    /** Appends to the transcript of a run held by {@code executionId} (null: by this worker, any attempt). */
    public ReportEventResponse appendTranscript(String workerId, String runId, String executionId,
            TranscriptAppend messages) {
        return report("POST", "/workers/" + path(workerId) + "/runs/" + path(runId) + "/transcript", messages,
                writeHeaders(executionId), type(ReportEventResponse.class));
    }

    public String recordArtifact(String workerId, String runId, ArtifactUpload artifact) {
        return recordArtifact(workerId, runId, null, artifact);
    }

    public String recordArtifact(String workerId, String runId, String executionId, ArtifactUpload artifact) {
        JsonNode reply = report("POST", "/workers/" + path(workerId) + "/runs/" + path(runId) + "/artifacts", artifact,
                writeHeaders(executionId), type(JsonNode.class));
        return reply.get("artifact_uid").asText();
    }

    public UsageStatus recordUsage(String workerId, String runId, UsageReport usage) {
        return recordUsage(workerId, runId, null, usage);
    }

    public UsageStatus recordUsage(String workerId, String runId, String executionId, UsageReport usage) {
        return report("POST", "/workers/" + path(workerId) + "/runs/" + path(runId) + "/usage", usage,
                writeHeaders(executionId), type(UsageStatus.class));
    }

    /** A worker write's headers: a report id chosen once for all its retries, and the execution it belongs to. */
    private static Map<String, String> writeHeaders(String executionId) {
        String reportId = UUID.randomUUID().toString();
        return executionId == null ? Map.of("Idempotency-Key", reportId)
                : Map.of("Idempotency-Key", reportId, "X-Drover-Execution-Id", executionId);
    }

    /**
     * Sends a worker's report, retried on connection failures, 429 and 5xx for up to {@link #reportRetries} (at
     * least the usual three attempts). Only idempotent reports come here.
     */
    private <T> T report(String method, String path, Object body, Map<String, String> headers, JavaType type) {
        Duration budget = reportRetries;
        long deadline = System.nanoTime() + budget.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return send(method, path, body, headers, true, type);
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

    /** The bytes of attachment {@code position} of a run the worker holds. */
    public byte[] attachment(String workerId, String runId, int position) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/workers/" + path(workerId) + "/runs/"
                        + path(runId) + "/attachments/" + position))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(2)).GET().build();
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 400) {
                throw new DroverApiException(r.statusCode(), problem(r));
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch attachment " + position + " of run " + runId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public void sandboxStopped(String workerId, String runId) {
        send("POST", "/workers/" + path(workerId) + "/runs/" + path(runId) + "/sandbox-stopped", null, Map.of(), true,
                type(JsonNode.class));
    }

    /** Reports what became of one repository's changes (its commit, push and diff) for a run the worker holds. */
    public void reportDelivery(String workerId, String runId, String executionId, dev.drover.api.RepositoryDiff diff) {
        report("POST", "/workers/" + path(workerId) + "/runs/" + path(runId) + "/deliveries", diff,
                writeHeaders(executionId), type(JsonNode.class));
    }

    /** {@code GET /agent/runs/{id}/diff}: the run's changes per repository. */
    public dev.drover.api.RunDiffResponse diff(String runId) {
        return send("GET", "/agent/runs/" + path(runId) + "/diff", null, Map.of(), true,
                type(dev.drover.api.RunDiffResponse.class));
    }

    /** The run's changes as one patch ({@code git apply} takes it). */
    public String patch(String runId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/agent/runs/" + path(runId) + "/diff"))
                .header("Authorization", "Bearer " + key).header("Accept", "text/x-diff")
                .timeout(Duration.ofMinutes(2)).GET().build();
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 400) {
                throw new DroverApiException(r.statusCode(), problem(r));
            }
            return new String(r.body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch the diff of run " + runId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public ConversationResponse conversation(String runId) {
        return send("GET", "/agent/runs/" + path(runId) + "/conversation", null, Map.of(), true,
                type(ConversationResponse.class));
    }

    /** {@code GET /agent}: the skills the caller can run; {@code repo} (owner/repo) and {@code sort} may be null. */
    public ListAgentsResponse agents(String repo, boolean refresh, String sort, boolean includeMalformed) {
        StringBuilder q = new StringBuilder("?refresh=").append(refresh).append("&include_malformed_skills=")
                .append(includeMalformed);
        if (repo != null) {
            q.append("&repo=").append(URLEncoder.encode(repo, StandardCharsets.UTF_8));
        }
        if (sort != null) {
            q.append("&sort_by=").append(URLEncoder.encode(sort, StandardCharsets.UTF_8));
        }
        return send("GET", "/agent" + q, null, Map.of(), true, type(ListAgentsResponse.class));
    }

    // Scheduled agents. A create is not retried: without an idempotency key a retry could make two schedules.

    public ScheduledAgentItem createSchedule(CreateScheduledAgentRequest request) {
        return send("POST", "/agent/schedules", request, Map.of(), false, type(ScheduledAgentItem.class));
    }

    public ListScheduledAgentsResponse schedules() {
        return send("GET", "/agent/schedules", null, Map.of(), true, type(ListScheduledAgentsResponse.class));
    }

    public ScheduledAgentItem getSchedule(String scheduleId) {
        return send("GET", "/agent/schedules/" + path(scheduleId), null, Map.of(), true, type(ScheduledAgentItem.class));
    }

    public ScheduledAgentItem updateSchedule(String scheduleId, UpdateScheduledAgentRequest request) {
        return send("PUT", "/agent/schedules/" + path(scheduleId), request, Map.of(), true, type(ScheduledAgentItem.class));
    }

    public ScheduledAgentItem pauseSchedule(String scheduleId) {
        return send("POST", "/agent/schedules/" + path(scheduleId) + "/pause", null, Map.of(), true,
                type(ScheduledAgentItem.class));
    }

    public ScheduledAgentItem resumeSchedule(String scheduleId) {
        return send("POST", "/agent/schedules/" + path(scheduleId) + "/resume", null, Map.of(), true,
                type(ScheduledAgentItem.class));
    }

    public void deleteSchedule(String scheduleId) {
        send("DELETE", "/agent/schedules/" + path(scheduleId), null, Map.of(), false,
                type(DeleteScheduledAgentResponse.class));
    }

    // Webhooks (Drover extension). A create is not retried: a retry could make two subscriptions with two secrets.

    public WebhookRecords.WebhookItem createWebhook(WebhookRecords.CreateWebhookRequest request) {
        return send("POST", "/webhooks", request, Map.of(), false, type(WebhookRecords.WebhookItem.class));
    }

    /** One page of the webhooks the key sees, oldest first; {@code cursor} null for the first page. */
    public WebhookRecords.ListWebhooksResponse listWebhooks(int limit, String cursor) {
        return send("GET", "/webhooks?limit=" + limit + cursorParam(cursor), null, Map.of(), true,
                type(WebhookRecords.ListWebhooksResponse.class));
    }

    /** Every webhook the key sees, following cursors page by page as the stream is read. */
    public Stream<WebhookRecords.WebhookItem> webhooks() {
        return paged(cursor -> {
            WebhookRecords.ListWebhooksResponse page = listWebhooks(100, cursor);
            return Map.entry(page.webhooks(), page.pageInfo());
        });
    }

    public WebhookRecords.WebhookItem getWebhook(String webhookId) {
        return send("GET", "/webhooks/" + path(webhookId), null, Map.of(), true, type(WebhookRecords.WebhookItem.class));
    }

    public void deleteWebhook(String webhookId) {
        send("DELETE", "/webhooks/" + path(webhookId), null, Map.of(), false,
                type(WebhookRecords.DeleteWebhookResponse.class));
    }

    public WebhookRecords.WebhookItem enableWebhook(String webhookId) {
        return send("POST", "/webhooks/" + path(webhookId) + "/enable", null, Map.of(), true,
                type(WebhookRecords.WebhookItem.class));
    }

    /** One page of a webhook's delivery log, newest first. */
    public WebhookRecords.ListDeliveriesResponse listDeliveries(String webhookId, int limit, String cursor) {
        return send("GET", "/webhooks/" + path(webhookId) + "/deliveries?limit=" + limit + cursorParam(cursor), null,
                Map.of(), true, type(WebhookRecords.ListDeliveriesResponse.class));
    }

    /** One delivery with its attempt history. */
    public WebhookRecords.DeliveryItem getDelivery(String webhookId, String deliveryId) {
        return send("GET", "/webhooks/" + path(webhookId) + "/deliveries/" + path(deliveryId), null, Map.of(), true,
                type(WebhookRecords.DeliveryItem.class));
    }

    /** Sends a delivery again (same {@code webhook-id}); retrying this is harmless, it only makes it due again. */
    public WebhookRecords.DeliveryItem redeliver(String webhookId, String deliveryId) {
        return send("POST", "/webhooks/" + path(webhookId) + "/deliveries/" + path(deliveryId) + "/redeliver", null,
                Map.of(), true, type(WebhookRecords.DeliveryItem.class));
    }

    private static String cursorParam(String cursor) {
        return cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    }

    /** Items of a keyset-paged list, fetching the next page only when the previous one has been read. */
    private static <T> Stream<T> paged(java.util.function.Function<String, Map.Entry<List<T>, PageInfo>> fetch) {
        Iterator<T> items = new Iterator<>() {
            private Iterator<T> page = List.<T>of().iterator();
            private String cursor;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && more) {
                    Map.Entry<List<T>, PageInfo> next = fetch.apply(cursor);
                    page = next.getKey().iterator();
                    more = next.getValue() != null && next.getValue().hasNextPage();
                    cursor = more ? next.getValue().nextCursor() : null;
                }
                return page.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
        return java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(items, java.util.Spliterator.ORDERED), false);
    }

    private JavaType type(Class<?> c) {
        return json.getTypeFactory().constructType(c);
    }

    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private <T> T send(String method, String path, Object body, Map<String, String> headers, boolean retry, JavaType type) {
        byte[] payload;
        try {
            payload = body == null ? null : json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialise request", e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + key)
                .header("Accept", "application/json")
                .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(payload));
        if (payload != null) {
            b.header("Content-Type", "application/json");
        }
        extraHeaders.forEach(b::header);
        headers.forEach(b::header);
        HttpRequest request = b.build();
        List<Exception> failures = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                boolean transientStatus = r.statusCode() == 429 || r.statusCode() >= 500;
                if (transientStatus && retry && attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                if (r.statusCode() >= 400) {
                    throw new DroverApiException(r.statusCode(), problem(r));
                }
                return r.statusCode() == 204 ? null : json.readValue(r.body(), type);
            } catch (IOException e) {
                // Refused, timed out, or the connection dropped before the answer arrived: the request may or may
                // not have been processed, which is safe to repeat only for reads and for creation (same
                // Idempotency-Key, so the server answers with the run it already made).
                failures.add(e);
                if (!retry || attempt >= ATTEMPTS) {
                    String what = e instanceof ConnectException || e instanceof HttpTimeoutException
                            ? "cannot reach " : "I/O error talking to ";
                    IllegalStateException down = new IllegalStateException(what + base + ": " + e);
                    failures.forEach(down::addSuppressed);
                    throw down;
                }
                backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private Problem problem(HttpResponse<byte[]> r) {
        try {
            return json.readValue(r.body(), Problem.class);
        } catch (IOException e) {
            String text = new String(r.body(), StandardCharsets.UTF_8);
            return new Problem(null, "HTTP " + r.statusCode(), r.statusCode(), text, null, text, null, null);
        }
    }

    /** Waits before a retry: 200 ms, then 400 ms (a retry loop's back-off, not a wait for a condition). */
    private static void backoff(int attempt) {
        try {
            Thread.sleep(200L * (1L << (attempt - 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
