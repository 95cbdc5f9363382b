package dev.drover.client;

import static dev.drover.client.DroverTransport.path;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.AgentIdentity;
import dev.drover.api.CloudEnvironment;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.ConversationResponse;
import dev.drover.api.CreateAgentIdentityRequest;
import dev.drover.api.CreateEnvironmentRequest;
import dev.drover.api.CreateScheduledAgentRequest;
import dev.drover.api.CreateSecretRequest;
import dev.drover.api.DeleteScheduledAgentResponse;
import dev.drover.api.FollowupRequest;
import dev.drover.api.FollowupResponse;
import dev.drover.api.ListAgentIdentitiesResponse;
import dev.drover.api.ListAgentsResponse;
import dev.drover.api.ListEnvironmentsResponse;
import dev.drover.api.ListModelsResponse;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.ListScheduledAgentsResponse;
import dev.drover.api.ListSecretsResponse;
import dev.drover.api.ManagedSecret;
import dev.drover.api.Message;
import dev.drover.api.MessageHeader;
import dev.drover.api.PageInfo;
import dev.drover.api.ReportEventRequest;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunEvent;
import dev.drover.api.RunItem;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.ScheduledAgentItem;
import dev.drover.api.SendMessageRequest;
import dev.drover.api.SendMessageResponse;
import dev.drover.api.UpdateAgentIdentityRequest;
import dev.drover.api.UpdateScheduledAgentRequest;
import dev.drover.api.UpdateSecretRequest;
import dev.drover.api.WebhookRecords;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterators;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A typed client for the Oz API and Drover's extensions (and any Oz-compatible server); the worker protocol is
 * {@link DroverWorkerClient}'s, both over a {@link DroverTransport}. Creation is idempotent: each call carries an
 * {@code Idempotency-Key} and is retried with the same key on connection failures (including a connection lost
 * before the answer arrived), 429 and 5xx, so a retry never creates a second run. Reads are retried the same way;
 * other calls are sent once.
 */
public final class DroverClient {
    private final DroverTransport transport;

    public DroverClient(String baseUrl, String apiKey) {
        this(baseUrl, apiKey, Map.of());
    }

    /** @param extraHeaders sent with every request (the CLI sends {@code X-Drover-Source: CLI}) */
    public DroverClient(String baseUrl, String apiKey, Map<String, String> extraHeaders) {
        this(new DroverTransport(baseUrl, apiKey, extraHeaders));
    }

    public DroverClient(DroverTransport transport) {
        this.transport = transport;
    }

    /** From {@code DROVER_URL}/{@code DROVER_API_KEY}, falling back to {@code OZ_API_BASE_URL}/{@code WARP_API_KEY}. */
    public static DroverClient fromEnvironment() {
        Map<String, String> env = System.getenv();
        return new DroverClient(firstOf(env, "DROVER_URL", "OZ_API_BASE_URL"), firstOf(env, "DROVER_API_KEY", "WARP_API_KEY"));
    }

    /** The first of {@code names} set (not blank) in {@code env}, or null. */
    public static String firstOf(Map<String, String> env, String... names) {
        return DroverTransport.firstOf(env, names);
    }

    public String baseUrl() {
        return transport.baseUrl();
    }

    public RunAgentResponse createRun(RunAgentRequest request) {
        return transport.send("POST", "/agent/runs", request, Map.of("Idempotency-Key", UUID.randomUUID().toString()), true,
                transport.type(RunAgentResponse.class));
    }

    public RunItem getRun(String runId) {
        return transport.send("GET", "/agent/runs/" + path(runId), null, Map.of(), true, transport.type(RunItem.class));
    }

    public ListRunsResponse listRuns(RunQuery query, String cursor) {
        return transport.send("GET", "/agent/runs" + query.encode(cursor), null, Map.of(), true, transport.type(ListRunsResponse.class));
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
        return transport.send("POST", "/agent/runs/" + path(runId) + "/followups", new FollowupRequest(message, mode),
                Map.of("Idempotency-Key", UUID.randomUUID().toString()), true, transport.type(FollowupResponse.class));
    }

    public String cancelRun(String runId) {
        return transport.send("POST", "/agent/runs/" + path(runId) + "/cancel", null, Map.of(), false, transport.type(String.class));
    }

    /** {@code sortBy}: {@code name} or {@code last_updated} (the server's default when null). */
    public ListEnvironmentsResponse listEnvironments(String sortBy) {
        String q = sortBy == null ? "" : "?sort_by=" + URLEncoder.encode(sortBy, StandardCharsets.UTF_8);
        return transport.send("GET", "/agent/environments" + q, null, Map.of(), true, transport.type(ListEnvironmentsResponse.class));
    }

    public CloudEnvironment getEnvironment(String uid) {
        return transport.send("GET", "/agent/environments/" + path(uid), null, Map.of(), true, transport.type(CloudEnvironment.class));
    }

    /** Sent once: a retried creation could make two environments. */
    public CloudEnvironment createEnvironment(CreateEnvironmentRequest request) {
        return transport.send("POST", "/agent/environments", request, Map.of(), false, transport.type(CloudEnvironment.class));
    }

    /** Replaces the whole configuration; a replacement is the same however often it is repeated. */
    public CloudEnvironment updateEnvironment(String uid, CloudEnvironmentConfig config) {
        return transport.send("PUT", "/agent/environments/" + path(uid), config, Map.of(), true, transport.type(CloudEnvironment.class));
    }

    public void deleteEnvironment(String uid) {
        transport.send("DELETE", "/agent/environments/" + path(uid), null, Map.of(), false, transport.type(JsonNode.class));
    }

    /** The secrets the caller can see, without their values (no endpoint returns a value). */
    public ListSecretsResponse listSecrets() {
        return transport.send("GET", "/secrets", null, Map.of(), true, transport.type(ListSecretsResponse.class));
    }

    /** Sent once: a retry after a lost answer would be refused as a duplicate name (409). */
    public ManagedSecret createSecret(CreateSecretRequest request) {
        return transport.send("POST", "/secrets", request, Map.of(), false, transport.type(ManagedSecret.class));
    }

    /** Replaces the value (and description); the same however often it is repeated. */
    public ManagedSecret updateSecret(String uid, UpdateSecretRequest request) {
        return transport.send("PUT", "/secrets/" + path(uid), request, Map.of(), true, transport.type(ManagedSecret.class));
    }

    public void deleteSecret(String uid) {
        transport.send("DELETE", "/secrets/" + path(uid), null, Map.of(), false, transport.type(JsonNode.class));
    }

    /** The agent identities of the caller's team ({@code teamId}: which team, for a caller in several; else null). */
    public ListAgentIdentitiesResponse listIdentities(String teamId) {
        return transport.send("GET", "/agent/identities" + (teamId == null ? "" : "?team_id="
                + URLEncoder.encode(teamId, StandardCharsets.UTF_8)), null, Map.of(), true,
                transport.type(ListAgentIdentitiesResponse.class));
    }

    public AgentIdentity getIdentity(String uid) {
        return transport.send("GET", "/agent/identities/" + path(uid), null, Map.of(), true, transport.type(AgentIdentity.class));
    }

    /** Sent once: a retry after a lost answer would create a second identity. */
    public AgentIdentity createIdentity(CreateAgentIdentityRequest request) {
        return transport.send("POST", "/agent/identities", request, Map.of(), false, transport.type(AgentIdentity.class));
    }

    /** A partial update (null fields stay); the same however often it is repeated. */
    public AgentIdentity updateIdentity(String uid, UpdateAgentIdentityRequest request) {
        return transport.send("PUT", "/agent/identities/" + path(uid), request, Map.of(), true, transport.type(AgentIdentity.class));
    }

    public void deleteIdentity(String uid) {
        transport.send("DELETE", "/agent/identities/" + path(uid), null, Map.of(), false, transport.type(JsonNode.class));
    }

    public ListModelsResponse models() {
        return transport.send("GET", "/agent/models", null, Map.of(), true, transport.type(ListModelsResponse.class));
    }

    /** Events of {@code runIds} after {@code since}; with {@code waitSeconds} > 0 the server holds the call until one commits. */
    public List<RunEvent> pollEvents(List<String> runIds, long since, int waitSeconds) {
        StringBuilder q = new StringBuilder("?since=").append(since).append("&wait=").append(waitSeconds);
        runIds.forEach(id -> q.append("&run_ids=").append(URLEncoder.encode(id, StandardCharsets.UTF_8)));
        return transport.send("GET", "/agent/events" + q, null, Map.of(), true,
                transport.type(new TypeReference<List<RunEvent>>() {}));
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
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    transport.open("/agent/events/stream" + q, Map.of("Accept", "text/event-stream",
                            "Last-Event-ID", Long.toString(last))), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        RunEvent e = transport.json().readValue(line.substring(5).trim(), RunEvent.class);
                        last = e.sequence();
                        onEvent.accept(e);
                    }
                }
                return; // the server ends the stream once every run has finished
            } catch (IOException e) {
                DroverTransport.backoff(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("lost the event stream of " + runIds + " too many times");
    }

    public SendMessageResponse sendMessage(SendMessageRequest request) {
        return transport.send("POST", "/agent/messages", request, Map.of(), false, transport.type(SendMessageResponse.class));
    }

    public List<MessageHeader> inbox(String runId, boolean unreadOnly) {
        return transport.send("GET", "/agent/messages/" + path(runId) + "?unread=" + unreadOnly, null, Map.of(), true,
                transport.type(new TypeReference<List<MessageHeader>>() {}));
    }

    public Message readMessage(String messageId) {
        return transport.send("POST", "/agent/messages/" + path(messageId) + "/read", null, Map.of(), false, transport.type(Message.class));
    }

    /** Reports a lifecycle event ({@code run_in_progress}, {@code run_succeeded}, ...) with an optional reason. */
    public ReportEventResponse reportEvent(String runId, String eventType, RunStatusMessage status) {
        return transport.send("POST", "/agent/events/" + path(runId), new ReportEventRequest(eventType, null, null, status),
                Map.of(), false, transport.type(ReportEventResponse.class));
    }

    /** {@code GET /agent/runs/{id}/diff}: the run's changes per repository. */
    public dev.drover.api.RunDiffResponse diff(String runId) {
        return transport.send("GET", "/agent/runs/" + path(runId) + "/diff", null, Map.of(), true,
                transport.type(dev.drover.api.RunDiffResponse.class));
    }

    /** The run's changes as one patch ({@code git apply} takes it). */
    public String patch(String runId) {
        return new String(transport.bytes("/agent/runs/" + path(runId) + "/diff", "text/x-diff",
                "the diff of run " + runId), StandardCharsets.UTF_8);
    }

    public ConversationResponse conversation(String runId) {
        return transport.send("GET", "/agent/runs/" + path(runId) + "/conversation", null, Map.of(), true,
                transport.type(ConversationResponse.class));
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
        return transport.send("GET", "/agent" + q, null, Map.of(), true, transport.type(ListAgentsResponse.class));
    }

    // Scheduled agents. A create is not retried: without an idempotency key a retry could make two schedules.

    public ScheduledAgentItem createSchedule(CreateScheduledAgentRequest request) {
        return transport.send("POST", "/agent/schedules", request, Map.of(), false, transport.type(ScheduledAgentItem.class));
    }

    public ListScheduledAgentsResponse schedules() {
        return transport.send("GET", "/agent/schedules", null, Map.of(), true, transport.type(ListScheduledAgentsResponse.class));
    }

    public ScheduledAgentItem getSchedule(String scheduleId) {
        return transport.send("GET", "/agent/schedules/" + path(scheduleId), null, Map.of(), true, transport.type(ScheduledAgentItem.class));
    }

    public ScheduledAgentItem updateSchedule(String scheduleId, UpdateScheduledAgentRequest request) {
        return transport.send("PUT", "/agent/schedules/" + path(scheduleId), request, Map.of(), true, transport.type(ScheduledAgentItem.class));
    }

    public ScheduledAgentItem pauseSchedule(String scheduleId) {
        return transport.send("POST", "/agent/schedules/" + path(scheduleId) + "/pause", null, Map.of(), true,
                transport.type(ScheduledAgentItem.class));
    }

    public ScheduledAgentItem resumeSchedule(String scheduleId) {
        return transport.send("POST", "/agent/schedules/" + path(scheduleId) + "/resume", null, Map.of(), true,
                transport.type(ScheduledAgentItem.class));
    }

    public void deleteSchedule(String scheduleId) {
        transport.send("DELETE", "/agent/schedules/" + path(scheduleId), null, Map.of(), false,
                transport.type(DeleteScheduledAgentResponse.class));
    }

    // Webhooks (Drover extension). A create is not retried: a retry could make two subscriptions with two secrets.

    public WebhookRecords.WebhookItem createWebhook(WebhookRecords.CreateWebhookRequest request) {
        return transport.send("POST", "/webhooks", request, Map.of(), false, transport.type(WebhookRecords.WebhookItem.class));
    }

    /** One page of the webhooks the key sees, oldest first; {@code cursor} null for the first page. */
    public WebhookRecords.ListWebhooksResponse listWebhooks(int limit, String cursor) {
        return transport.send("GET", "/webhooks?limit=" + limit + cursorParam(cursor), null, Map.of(), true,
                transport.type(WebhookRecords.ListWebhooksResponse.class));
    }

    /** Every webhook the key sees, following cursors page by page as the stream is read. */
    public Stream<WebhookRecords.WebhookItem> webhooks() {
        return paged(cursor -> {
            WebhookRecords.ListWebhooksResponse page = listWebhooks(100, cursor);
            return Map.entry(page.webhooks(), page.pageInfo());
        });
    }

    public WebhookRecords.WebhookItem getWebhook(String webhookId) {
        return transport.send("GET", "/webhooks/" + path(webhookId), null, Map.of(), true, transport.type(WebhookRecords.WebhookItem.class));
    }

    public void deleteWebhook(String webhookId) {
        transport.send("DELETE", "/webhooks/" + path(webhookId), null, Map.of(), false,
                transport.type(WebhookRecords.DeleteWebhookResponse.class));
    }

    public WebhookRecords.WebhookItem enableWebhook(String webhookId) {
        return transport.send("POST", "/webhooks/" + path(webhookId) + "/enable", null, Map.of(), true,
                transport.type(WebhookRecords.WebhookItem.class));
    }

    /** One page of a webhook's delivery log, newest first. */
    public WebhookRecords.ListDeliveriesResponse listDeliveries(String webhookId, int limit, String cursor) {
        return transport.send("GET", "/webhooks/" + path(webhookId) + "/deliveries?limit=" + limit + cursorParam(cursor), null,
                Map.of(), true, transport.type(WebhookRecords.ListDeliveriesResponse.class));
    }

    /** One delivery with its attempt history. */
    public WebhookRecords.DeliveryItem getDelivery(String webhookId, String deliveryId) {
        return transport.send("GET", "/webhooks/" + path(webhookId) + "/deliveries/" + path(deliveryId), null, Map.of(), true,
                transport.type(WebhookRecords.DeliveryItem.class));
    }

    /** Sends a delivery again (same {@code webhook-id}); retrying this is harmless, it only makes it due again. */
    public WebhookRecords.DeliveryItem redeliver(String webhookId, String deliveryId) {
        return transport.send("POST", "/webhooks/" + path(webhookId) + "/deliveries/" + path(deliveryId) + "/redeliver", null,
                Map.of(), true, transport.type(WebhookRecords.DeliveryItem.class));
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
}
