package dev.drover.server.runs;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.ArtifactItem;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunEvent;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunItem;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.ScheduleInfo;
import dev.drover.api.UsageReport;
import dev.drover.api.UsageStatus;
import dev.drover.api.Scope;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.eventlog.Appended;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Runs, as the rest of the server sees them: one object whose methods hand each request to the part that does that
 * job — {@link RunCreation} (creation and idempotency), {@link RunQueries} (visibility, reads, listing),
 * {@link RunStateChanges} (every state change through {@link RunTransitions}), {@link RunUsage} (usage reports) and
 * {@link RunMapping} (the API shape). Other features and packages keep one dependency and one set of names.
 */
public final class Runs implements AutoCloseable {
    /** How deep parent → child chains may go; a guard against runaway agents spawning agents. */
    static final int MAX_DEPTH = 8;

    public static final String DEFAULT_POOL = "default";

    /**
     * How long a LOCAL run may go without an event from its client before it stops counting against its team's
     * concurrency: it then ends ERROR (retryable), like a REMOTE run whose worker went quiet.
     */
    public static final java.time.Duration LOCAL_LEASE = java.time.Duration.ofHours(1);

    private final RunMapping mapping;
    private final RunQueries queries;
    private final RunCreation creation;
    private final RunStateChanges changes;
    private final RunUsage usage;
    private final RunVersions versions;

    public Runs(Database db, EventLog events, ModelCatalog models, BlobStore blobs, Clock clock, Supplier<String> publicUrl,
            int teamConcurrency, SkillResolver skills) {
        this(db, events, models, blobs, clock, publicUrl, teamConcurrency, skills, IdentityResolver.NONE);
    }

    public Runs(Database db, EventLog events, ModelCatalog models, BlobStore blobs, Clock clock, Supplier<String> publicUrl,
            int teamConcurrency, SkillResolver skills, IdentityResolver identities) {
        RunRepository repo = new RunRepository(db);
        this.mapping = new RunMapping(publicUrl, clock);
        this.versions = new RunVersions(db);
        this.queries = new RunQueries(db, repo, mapping, versions);
        this.creation = new RunCreation(db, repo, events, models, blobs, clock, teamConcurrency, skills, identities,
                queries);
        this.changes = new RunStateChanges(db, repo, events, clock, queries);
        this.usage = new RunUsage(db, repo, models, clock);
    }

    /**
     * Where a creation comes from; the API's own requests are {@link RunSourceType#API}. {@code owner}, when set
     * (a schedule's scope), is who owns the run instead of what {@code team} would choose; the caller must belong
     * to it.
     */
    public record Origin(RunSourceType source, RunExecutionLocation location, ScheduleInfo schedule, Scope owner) {
        public Origin(RunSourceType source, RunExecutionLocation location, ScheduleInfo schedule) {
            this(source, location, schedule, null);
        }

        public static Origin api() {
            return new Origin(RunSourceType.API, RunExecutionLocation.REMOTE, null);
        }
    }

    /**
     * What a creation resolves before its transaction (resolving reads repositories): the identity the run acts as
     * (null when it names none), the skill it names, and the instructions of the identity's own skills.
     */
    public record Prepared(IdentityResolver.AsIdentity identity, SkillResolver.ResolvedSkill skill,
            String identityInstructions) {}

    /** What other features need to know about a run. */
    public record RunView(String id, String ownerId, RunState state, RunExecutionLocation location,
            String conversationId, String sessionId) {}

    /** The worker pool a run is routed to: {@code config.worker_host}, else the default pool. */
    static String pool(AmbientAgentConfig config) {
        String host = config.workerHost();
        return host == null || host.isBlank() || host.equals("warp") ? DEFAULT_POOL : host;
    }

    // --- creation (RunCreation)

    public RunAgentResponse create(Principal caller, RunAgentRequest request, String requestedKey, Origin requested) {
        return creation.create(caller, request, requestedKey, requested);
    }

    /** A run created inside the caller's transaction {@code h} (an inbound repository event, a schedule's tick). */
    public RunAgentResponse createIn(Handle h, Principal caller, RunAgentRequest request, Origin origin,
            Prepared prepared) {
        return creation.createIn(h, caller, request, origin, prepared);
    }

    /** {@link Prepared} for {@link #createIn}: a schedule's tick resolves it before its transaction. */
    public Prepared prepare(Principal caller, RunAgentRequest request) {
        return creation.prepare(caller, request);
    }

    /** The skill the request names ({@code skill}, else {@code config.skill_spec}), or null when it names none. */
    public SkillResolver.ResolvedSkill resolveSkill(Principal caller, RunAgentRequest request) {
        return creation.resolveSkill(caller, request);
    }

    // --- reads (RunQueries)

    RunRow visible(Handle h, Principal caller, String runId, String field) {
        return queries.visible(h, caller, runId, field);
    }

    /** A recipient of a message: what the caller sees (for an agent, beyond its lane); see {@link RunQueries}. */
    public RunView recipient(Principal caller, String runId, String field) {
        return queries.recipient(caller, runId, field);
    }

    /** Inside a write transaction: refuses (404) unless {@code workerId} holds {@code runId}'s lease. */
    public static void requireHeldBy(Handle h, String workerId, String runId) {
        RunQueries.requireHeldBy(h, workerId, runId);
    }

    /** A run as the API shows it, read in the caller's transaction; empty when there is no such run. */
    public Optional<RunItem> itemIn(Handle h, String runId) {
        return queries.itemIn(h, runId);
    }

    public RunItem get(Principal caller, String runId) {
        return queries.get(caller, runId);
    }

    /** {@link #get} encoded as the API answers it. */
    public byte[] getJson(Principal caller, String runId) {
        return queries.getJson(caller, runId);
    }

    /** Whether the caller can see the run; for other features that take run ids. */
    public boolean canSee(Principal caller, String runId) {
        return queries.canSee(caller, runId);
    }

    /** Reads a run for another feature of the server, scoped to the caller. */
    public RunView view(Principal caller, String runId, String field) {
        return queries.view(caller, runId, field);
    }

    /** The visible run owning a shared session, if any. */
    public Optional<RunView> bySession(Principal caller, String sessionId) {
        return queries.bySession(caller, sessionId);
    }

    /** The newest run of a conversation, when the caller sees it (in its lane, for an agent). */
    public Optional<RunView> newestOfConversation(Principal caller, String conversationId) {
        return queries.newestOfConversation(caller, conversationId);
    }

    /** A page of the runs the caller may see, as {@code GET /agent/runs} and the dashboard's runs page list them. */
    public ListRunsResponse list(Principal caller, RunListQuery query) {
        return queries.list(caller, query);
    }

    public ListRunsResponse list(Principal caller, RunFilter filter, RunSort sort, boolean descending, int limit,
            String rawCursor) {
        return queries.list(caller, filter, sort, descending, limit, rawCursor);
    }

    /** A run's API shape and its attachments' references, read in the caller's transaction. */
    RunItem itemOf(Handle h, RunRow row) {
        return queries.itemOf(h, row);
    }

    RunItem item(RunRow r, List<ArtifactItem> artifacts) {
        return mapping.item(r, artifacts);
    }

    static String runTime(RunRow r, Instant now) {
        return RunMapping.runTime(r, now);
    }

    // --- state changes (RunStateChanges)

    /** {@code POST /agent/runs/{id}/cancel}: the spec's answers for every state. */
    public String cancel(Principal caller, String runId) {
        return changes.cancel(caller, runId);
    }

    /** Applies a state change reported through {@code POST /agent/events/{runId}}; illegal moves are 409. */
    public RunEvent report(Principal caller, String runId, String eventType, String executionId, String refId,
            RunStatusMessage reported) {
        return changes.report(caller, runId, eventType, executionId, refId, reported);
    }

    /** A state change made by Drover itself (dispatch, workers, lease expiry) rather than by a caller. */
    public RunEvent advance(String runId, RunState to, RunStatusMessage status) {
        return changes.advance(runId, to, status);
    }

    /** The one way a run changes state: check the table, compare-and-set, append the event, all in {@code h}. */
    Appended transition(Handle h, RunRow run, RunState to, RunStatusMessage status, String executionId, String refId) {
        return changes.transition(h, run, to, status, executionId, refId);
    }

    /** A claim's QUEUED → PENDING (→ CLAIMED) as one compare-and-set; false when another claimer took the run. */
    boolean claimTransition(Handle h, RunRow queued, String workerId, Instant now, Instant leaseUntil,
            boolean accept) {
        return changes.claimTransition(h, queued, workerId, now, leaseUntil, accept);
    }

    /** An ended run goes back to QUEUED for another turn. */
    Appended continueRun(Handle h, RunRow ended, String refId, String why) {
        return changes.continueRun(h, ended, refId, why);
    }

    // --- usage (RunUsage)

    /**
     * Adds a model call's tokens and their price (from the models file's price table) to the run's
     * {@code request_usage}, and says whether the run's {@code budget_usd} is spent.
     */
    public UsageStatus recordUsage(String workerId, String runId, UsageReport report) {
        return usage.recordUsage(WorkerReport.of(workerId), runId, report);
    }

    /** As {@link #recordUsage(String, String, UsageReport)}; a retried report answers the first one's status. */
    public UsageStatus recordUsage(WorkerReport by, String runId, UsageReport report) {
        return usage.recordUsage(by, runId, report);
    }

    /** Ends the reader of run versions (the GET cache's check); the web server has stopped by then. */
    @Override
    public void close() {
        versions.close();
    }
}
