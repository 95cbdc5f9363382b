package dev.drover.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drover.api.AgentSkill;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.ArtifactItem;
import dev.drover.api.Json;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.PageInfo;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RequestUsage;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunCreatorInfo;
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
import dev.drover.server.environments.EnvironmentLinks;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Runs: creation (validated, idempotent, atomic with its {@code run_queued} event), reads scoped to what the
 * caller can see, keyset listings, cancellation and every state change through {@link RunTransitions}.
 */
public final class Runs {
    /** How deep parent → child chains may go; a guard against runaway agents spawning agents. */
    static final int MAX_DEPTH = 8;

    private final Database db;
    private final RunRepository repo;
    private final EventLog events;
    private final ModelCatalog models;
    private final BlobStore blobs;
    private final Clock clock;
    private final Supplier<String> publicUrl;
    private final int teamConcurrency;
    private final SkillResolver skills;
    private final IdentityResolver identities;

    public Runs(Database db, EventLog events, ModelCatalog models, BlobStore blobs, Clock clock, Supplier<String> publicUrl,
            int teamConcurrency, SkillResolver skills) {
        this(db, events, models, blobs, clock, publicUrl, teamConcurrency, skills, IdentityResolver.NONE);
    }

    public Runs(Database db, EventLog events, ModelCatalog models, BlobStore blobs, Clock clock, Supplier<String> publicUrl,
            int teamConcurrency, SkillResolver skills, IdentityResolver identities) {
        this.skills = skills;
        this.identities = identities;
        this.db = db;
        this.repo = new RunRepository(db);
        this.events = events;
        this.models = models;
        this.blobs = blobs;
        this.clock = clock;
        this.publicUrl = publicUrl;
        this.teamConcurrency = teamConcurrency;
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

    public RunAgentResponse create(Principal caller, RunAgentRequest request, String requestedKey, Origin requested) {
        RunRequests.validate(request);
        // an agent's child runs are the orchestration layer's (the newer SDK's ORCHESTRATION source)
        Origin origin = caller.runScope() == null ? requested : new Origin(RunSourceType.ORCHESTRATION,
                requested.location(), requested.schedule(), requested.owner());
        if (requestedKey != null && (requestedKey.isBlank() || requestedKey.length() > 255)) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1 to 255 characters");
        }
        if (caller.runScope() != null) {
            checkAgentCreation(caller, request, origin);
        }
        // an agent's keys live apart from its creator's: a replay must never answer with a run outside its lane
        String idempotencyKey = requestedKey == null || caller.runScope() == null ? requestedKey
                : caller.runScope() + "/" + requestedKey;
        IdentityResolver.AsIdentity identity = identity(caller, request);
        AmbientAgentConfig config = config(request, identity);
        checkModel(config);
        List<RunRequests.Attachment> attachments = RunRequests.decodeAttachments(request.attachments());
        String requestHash = idempotencyKey == null ? null : hash(request, origin);
        if (idempotencyKey != null) {
            Optional<RunAgentResponse> earlier = replay(caller, idempotencyKey, requestHash);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        // before the transaction: resolving may read a repository
        Prepared prepared = prepare(caller, request, identity);
        // Blobs first: if the transaction below fails they are unreferenced garbage, never a dangling row.
        List<String> blobKeys = attachments.stream().map(a -> blobs.put(a.bytes())).toList();
        try {
            return db.write(h -> insert(h, caller, request, config, origin, prepared, attachments, blobKeys,
                    idempotencyKey, requestHash));
        } catch (RuntimeException e) {
            if (idempotencyKey != null && db.dialect().isUniqueViolation(e)) {
                // Another request with the same key won the race; answer as it was answered.
                return replay(caller, idempotencyKey, requestHash).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /**
     * What an agent (a run-scoped token) may create: child runs of its own run or of a run below it, executed by
     * workers, in no conversation but its own and with no environment but its own run's — it cannot borrow its
     * creator's other environments (and their repositories) or continue conversations it was not part of.
     */
    private void checkAgentCreation(Principal caller, RunAgentRequest request, Origin origin) {
        if (origin.location() == RunExecutionLocation.LOCAL) {
            throw ApiException.forbidden("X-Drover-Execution-Location: an agent's child runs are executed by workers");
        }
        if (request.parentRunId() == null) {
            throw ApiException.forbidden("parent_run_id: an agent creates child runs only; set parent_run_id to its "
                    + "own run (" + caller.runScope() + ") or a run below it");
        }
        db.readOne(h -> {
            RunRow own = repo.find(h, caller.runScope()).orElseThrow(() -> ApiException.notFound("parent_run_id", "run"));
            if (!own.id().equals(request.parentRunId()) && (!Ids.isUuid(request.parentRunId()) || h.createQuery(
                            "SELECT COUNT(*) FROM run_ancestors WHERE run_id = :r AND ancestor_id = :own")
                    .bind("r", request.parentRunId()).bind("own", own.id()).mapTo(Long.class).one() == 0)) {
                throw ApiException.notFound("parent_run_id", "run");
            }
            if (request.conversationId() != null && !request.conversationId().equals(own.conversationId())) {
                throw ApiException.notFound("conversation_id", "conversation");
            }
            String environment = request.config() == null ? null : request.config().environmentId();
            if (environment != null && !environment.equals(own.environmentId())) {
                throw ApiException.notFound("config.environment_id", "environment");
            }
            return null;
        });
    }

    /**
     * Creates a run inside the caller's transaction: a schedule firing a tick commits the tick and its run
     * together or not at all. No attachments and no idempotency key (the tick is the key). {@code skill} is
     * {@link #resolveSkill}'s answer, asked for before the transaction.
     */
    public RunAgentResponse createIn(Handle h, Principal caller, RunAgentRequest request, Origin origin,
            Prepared prepared) {
        RunRequests.validate(request);
        AmbientAgentConfig config = config(request, prepared.identity());
        checkModel(config);
        return insert(h, caller, request, config, origin, prepared, List.of(), List.of(), null, null);
    }

    /**
     * What a creation resolves before its transaction (resolving reads repositories): the identity the run acts as
     * (null when it names none), the skill it names, and the instructions of the identity's own skills.
     */
    public record Prepared(IdentityResolver.AsIdentity identity, SkillResolver.ResolvedSkill skill,
            String identityInstructions) {}

    /** {@link Prepared} for {@link #createIn}: a schedule's tick resolves it before its transaction. */
    public Prepared prepare(Principal caller, RunAgentRequest request) {
        RunRequests.validate(request);
        return prepare(caller, request, identity(caller, request));
    }

    private Prepared prepare(Principal caller, RunAgentRequest request, IdentityResolver.AsIdentity identity) {
        Principal actor = identity == null ? caller : identity.principal();
        SkillResolver.ResolvedSkill skill = resolveSkill(actor, request);
        if (identity == null || identity.skills().isEmpty()) {
            return new Prepared(identity, skill, null);
        }
        // every skill of the identity is resolved again for each run: its instructions are the repository's today
        StringBuilder instructions = new StringBuilder();
        for (String spec : identity.skills()) {
            SkillResolver.ResolvedSkill s = skills.resolve(actor, "agent_identity_uid", spec, request.prompt());
            if (skill != null && s.spec().equals(skill.spec())) {
                continue; // the run's own skill already brings these
            }
            instructions.append(instructions.isEmpty() ? "" : "\n\n").append("# Skill: ").append(s.name())
                    .append(" (").append(s.spec()).append(")\n\n").append(s.instructions());
        }
        return new Prepared(identity, skill, instructions.isEmpty() ? null : instructions.toString());
    }

    /**
     * The identity a request names, or null. An agent (run-scoped token) cannot choose one: a child run acts as
     * whoever its parent's token acts as, so naming another identity would reach that identity's secrets.
     */
    private IdentityResolver.AsIdentity identity(Principal caller, RunAgentRequest request) {
        if (request.agentIdentityUid() == null) {
            return null;
        }
        if (caller.runScope() != null) {
            throw ApiException.forbidden("agent_identity_uid: a run-scoped token cannot choose the identity a run "
                    + "acts as; its child runs act as its own run's creator");
        }
        if (Boolean.FALSE.equals(request.team())) {
            throw ApiException.badRequest("agent_identity_uid", "an agent identity acts for its team: only a team run "
                    + "(team: true, the default) can name one");
        }
        return identities.resolve(caller, request.agentIdentityUid(), "agent_identity_uid");
    }

    /** The run's configuration: the request's, over its identity's when it names one. */
    private static AmbientAgentConfig config(RunAgentRequest request, IdentityResolver.AsIdentity identity) {
        AmbientAgentConfig requested = request.config() != null ? request.config() : AmbientAgentConfig.empty();
        return identity == null ? requested : IdentityResolver.merge(identity.config(), requested);
    }

    /** The skill the request names ({@code skill}, else {@code config.skill_spec}), or null when it names none. */
    public SkillResolver.ResolvedSkill resolveSkill(Principal caller, RunAgentRequest request) {
        boolean bySkill = RunRequests.notBlank(request.skill());
        String spec = bySkill ? request.skill() : RunRequests.skillSpec(request.config());
        if (!RunRequests.notBlank(spec)) {
            return null;
        }
        String field = bySkill ? "skill" : request.config().skillSpec() != null ? "config.skill_spec" : "config.skills[0]";
        return skills.resolve(caller, field, spec, request.prompt());
    }

    /** A run's mode for its claim: plan or orchestrate, null for normal. */
    public String mode(String runId) {
        return db.readOne(h -> repo.mode(h, runId));
    }

    /** The instructions of a run's skill as resolved at its creation, for its claim. */
    public String skillInstructions(String runId) {
        return db.readOne(h -> repo.skillInstructions(h, runId));
    }

    /**
     * Only the built-in agent calls the model through the server's providers; a CLI harness hands model_id to its
     * CLI, which knows its own models (and aliases) and authenticates on the worker.
     */
    private void checkModel(AmbientAgentConfig config) {
        if (config.modelId() != null && RunRequests.runsBuiltInAgent(config)) {
            models.checkUsable(config.modelId());
        }
    }

    private Optional<RunAgentResponse> replay(Principal caller, String key, String requestHash) {
        return db.readOne(h -> h.createQuery(
                        "SELECT request_hash, run_id FROM idempotency_keys WHERE principal_id = :p AND key = :k")
                .bind("p", caller.id()).bind("k", key)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                .findOne()
                .map(row -> {
                    if (!row[0].equals(requestHash)) {
                        throw ApiException.conflict("Idempotency-Key: already used for a different request body", false);
                    }
                    RunRow run = repo.find(h, row[1]).orElseThrow();
                    return new RunAgentResponse(run.id(), run.id(), run.state(), false);
                }));
    }

    private RunAgentResponse insert(Handle h, Principal caller, RunAgentRequest r, AmbientAgentConfig requested,
            Origin requestedOrigin, Prepared prepared, List<RunRequests.Attachment> attachments, List<String> blobKeys,
            String idempotencyKey, String requestHash) {
        Instant now = clock.instant();
        SkillResolver.ResolvedSkill skill = prepared.skill();
        IdentityResolver.AsIdentity identity = prepared.identity();
        String idempotencyPrincipal = caller.id(); // the key is the caller's, whoever the run acts as
        Origin origin = requestedOrigin;
        if (identity != null) {
            // the run acts as the identity: it is its creator (and its token's principal), its team the owner
            if (origin.owner() != null && !origin.owner().uid().equals(identity.teamId())) {
                throw ApiException.badRequest("agent_identity_uid", "the identity belongs to another team than "
                        + origin.owner().type() + " " + origin.owner().uid());
            }
            origin = new Origin(origin.source(), origin.location(), origin.schedule(), new Scope("Team", identity.teamId()));
            caller = identity.principal();
        }
        String ownerType;
        String ownerId;
        boolean team = r.team() != null ? r.team()
                : caller.kind() == Principal.Kind.SERVICE_ACCOUNT || caller.teamIds().size() == 1;
        if (origin.owner() != null) {
            if (!caller.canSee(origin.owner().uid())) {
                throw ApiException.badRequest("owner", "the creator no longer belongs to " + origin.owner().type()
                        + " " + origin.owner().uid());
            }
            ownerType = origin.owner().type();
            ownerId = origin.owner().uid();
        } else if (team) {
            if (caller.teamIds().isEmpty()) {
                throw ApiException.badRequest("team", "the caller belongs to no team; create a personal run instead");
            }
            ownerType = "Team";
            ownerId = caller.teamIds().getFirst();
        } else {
            ownerType = "User";
            ownerId = caller.id();
        }
        int depth = 0;
        if (r.parentRunId() != null) {
            RunRow parent = visible(h, caller, r.parentRunId(), "parent_run_id");
            depth = parent.depth() + 1;
            if (depth > MAX_DEPTH) {
                throw ApiException.badRequest("parent_run_id", "runs may be nested at most " + MAX_DEPTH + " deep");
            }
        }
        String conversationId;
        if (r.conversationId() != null) {
            String owner = repo.ownerOfConversation(h, r.conversationId()).orElse(null);
            if (owner == null || !caller.canSee(owner)) {
                throw ApiException.notFound("conversation_id", "conversation");
            }
            conversationId = r.conversationId();
        } else {
            conversationId = Ids.uuid();
        }
        // a skill run is recorded under its canonical spec (owner/repo:path/SKILL.md), so that every way of naming
        // the skill finds it in lists; config.name defaults to the skill's name
        String skillSpec = skill == null ? null : skill.spec();
        AmbientAgentConfig config = skill != null && requested.name() == null ? requested.withName(skill.name())
                : requested;
        String id = Ids.uuid();
        long micros = Times.micros(now);
        repo.insert(h, new RunRepository.NewRun(id, ownerType, ownerId, caller.id(), RunRequests.title(r, skillSpec),
                r.prompt() == null ? "" : r.prompt(), origin.source(), origin.location(), RunRepository.json(config),
                config.name(), config.modelId(), config.environmentId(), skillSpec,
                skill == null ? null : skill.name(),
                skill == null ? null : RunRepository.json(new AgentSkill(skill.name(), skill.description(),
                        skill.path(), null)),
                instructions(skill, prepared.identityInstructions()),
                origin.schedule() == null ? null : origin.schedule().scheduleId(),
                origin.schedule() == null ? null : RunRepository.json(origin.schedule()), conversationId,
                r.parentRunId(), depth, Ids.uuid(), Boolean.TRUE.equals(r.interactive()), r.metadata(), pool(config),
                micros, RunRequests.mode("mode", r.mode(), config, "config")));
        if (identity != null) {
            h.createUpdate("UPDATE runs SET agent_identity_id = :i WHERE id = :id")
                    .bind("i", identity.uid()).bind("id", id).execute();
        }
        if (config.environmentId() != null) {
            EnvironmentLinks.runCreated(h, caller, config.environmentId(), id, "config.environment_id");
        }
        for (int i = 0; i < attachments.size(); i++) {
            repo.insertAttachment(h, Ids.uuid(), id, i, attachments.get(i), blobKeys.get(i));
        }
        if (idempotencyKey != null) {
            h.createUpdate("""
                            INSERT INTO idempotency_keys (principal_id, key, request_hash, run_id, created_at)
                            VALUES (:p, :k, :hash, :run, :now)""")
                    .bind("p", idempotencyPrincipal).bind("k", idempotencyKey).bind("hash", requestHash).bind("run", id)
                    .bind("now", micros).execute();
        }
        boolean atCapacity = teamConcurrency > 0 && repo.hasMoreActiveThan(h, ownerId, teamConcurrency);
        if (r.parentRunId() != null) {
            events.append(h, r.parentRunId(), "child_agent_started", id, null, now);
        }
        RunEvent queued = events.append(h, id, RunTransitions.eventFor(null, RunState.QUEUED), null, null, now);
        repo.markCreatedAt(h, id, queued.sequence());
        return new RunAgentResponse(id, id, RunState.QUEUED, atCapacity);
    }

    /** What the run's agent is told besides its prompt: its skill's instructions, then its identity's skills'. */
    private static String instructions(SkillResolver.ResolvedSkill skill, String identityInstructions) {
        if (skill == null) {
            return identityInstructions;
        }
        return identityInstructions == null ? skill.instructions() : skill.instructions() + "\n\n" + identityInstructions;
    }

    /** The worker pool a run is routed to: {@code config.worker_host}, else the default pool. */
    static String pool(AmbientAgentConfig config) {
        String host = config.workerHost();
        return host == null || host.isBlank() || host.equals("warp") ? DEFAULT_POOL : host;
    }

    public static final String DEFAULT_POOL = "default";

    private static String hash(RunAgentRequest request, Origin origin) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Json.mapper().writeValueAsBytes(request));
            sha.update(origin.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The run if the caller can see it; a foreign or unknown id is the same 404. A worker key sees the runs leased
     * to its workers, whichever team owns them.
     */
    RunRow visible(Handle h, Principal caller, String runId, String field) {
        if (!Ids.isUuid(runId)) {
            throw ApiException.notFound(field, "run");
        }
        return repo.find(h, runId).filter(r -> canSee(h, caller, r))
                .orElseThrow(() -> ApiException.notFound(field, "run"));
    }

    private static boolean canSee(Handle h, Principal caller, RunRow r) {
        return (caller.canSee(r.ownerId()) && inLane(h, caller, r)) || leasedToCallersWorker(h, caller, r);
    }

    /**
     * The lane of a run-scoped token (an agent): its own run, the runs below it (children it created, and theirs),
     * and the earlier runs of its own conversation (which its claim already gave it as history). Everything else
     * its creator sees is, to the agent, an unknown id — a compromised agent cannot read, cancel, report for or
     * read the inbox of its siblings. Other principals have no lane.
     */
    private static boolean inLane(Handle h, Principal caller, RunRow r) {
        String own = caller.runScope();
        if (own == null || own.equals(r.id())) {
            return true;
        }
        return h.createQuery("""
                        SELECT COUNT(*) FROM run_ancestors WHERE run_id = :r AND ancestor_id = :own""")
                .bind("r", r.id()).bind("own", own).mapTo(Long.class).one() > 0
                || h.createQuery("SELECT COUNT(*) FROM runs WHERE id = :own AND conversation_id = :c")
                        .bind("own", own).bind("c", r.conversationId()).mapTo(Long.class).one() > 0;
    }

    /**
     * A recipient of a message: what the caller sees — for an agent, every run its creator sees, not only its lane.
     * Messages are how agents coordinate (a child reports to its parent, peers tell each other where they are), and a
     * message is text for the recipient's agent to weigh, sent visibly as the agent's own run; reading inboxes,
     * acting on runs and reporting for them stay in the lane.
     */
    public RunView recipient(Principal caller, String runId, String field) {
        return db.readOne(h -> {
            if (caller.runScope() != null && Ids.isUuid(runId)) {
                Optional<RunRow> seen = repo.find(h, runId).filter(r -> caller.canSee(r.ownerId()));
                if (seen.isPresent()) {
                    return view(seen.get());
                }
            }
            return view(visible(h, caller, runId, field));
        });
    }

    private static RunView view(RunRow r) {
        return new RunView(r.id(), r.ownerId(), r.state(), r.executionLocation(), r.conversationId(), r.sessionId());
    }

    private static boolean leasedToCallersWorker(Handle h, Principal caller, RunRow r) {
        return caller.worker() && r.workerId() != null && h.createQuery(
                        "SELECT COUNT(*) FROM workers WHERE id = :w AND principal_id = :p")
                .bind("w", r.workerId()).bind("p", caller.id()).mapTo(Long.class).one() > 0;
    }

    /**
     * Inside a write transaction: refuses (404) unless {@code workerId} holds {@code runId}'s lease, so only the
     * worker executing a run adds to its transcript and artifacts.
     */
    public static void requireHeldBy(Handle h, String workerId, String runId) {
        long held = h.createQuery("""
                        SELECT COUNT(*) FROM runs WHERE id = :r AND worker_id = :w
                        AND state IN ('PENDING', 'CLAIMED', 'INPROGRESS')""")
                .bind("r", runId).bind("w", workerId).mapTo(Long.class).one();
        if (held == 0) {
            throw ApiException.notFound("runId", "run held by this worker");
        }
    }

    /**
     * Adds a model call's tokens and their price (from the models file's price table) to the run's
     * {@code request_usage}, and says whether the run's {@code budget_usd} is spent.
     */
    public UsageStatus recordUsage(String workerId, String runId, UsageReport report) {
        return recordUsage(WorkerReport.of(workerId), runId, report);
    }

    /** As {@link #recordUsage(String, String, UsageReport)}; a retried report answers the first one's status. */
    public UsageStatus recordUsage(WorkerReport by, String runId, UsageReport report) {
        if (report.inputTokens() < 0 || report.outputTokens() < 0) {
            throw ApiException.badRequest("input_tokens", "token counts are not negative");
        }
        if (report.modelId() == null || report.modelId().isBlank()) {
            throw ApiException.badRequest("model_id", "is required");
        }
        double inputCost = models.cost(report.modelId(), report.inputTokens(), 0);
        double outputCost = models.cost(report.modelId(), 0, report.outputTokens());
        return db.write(h -> {
            Optional<String> earlier = by.replay(h, runId);
            if (earlier.isPresent()) {
                return read(earlier.get(), UsageStatus.class);
            }
            by.requireHolder(h, runId);
            RunRow run = repo.find(h, runId).orElseThrow();
            RequestUsage before = usage(run.requestUsageJson());
            RequestUsage after = Usage.add(before, report.modelId(), report.inputTokens(), report.outputTokens(),
                    inputCost, outputCost);
            h.createUpdate("UPDATE runs SET request_usage_json = :u WHERE id = :id")
                    .bind("u", RunRepository.json(after)).bind("id", runId).execute();
            Double budget = read(run.configJson(), AmbientAgentConfig.class).budgetUsd();
            UsageStatus status = new UsageStatus(after, budget, budget != null && after.inferenceCostUsd() > budget);
            by.remember(h, runId, RunRepository.json(status), clock.instant());
            return status;
        });
    }

    private static double nz(Double d) {
        return d == null ? 0 : d;
    }

    private static long nzl(Long l) {
        return l == null ? 0 : l;
    }

    private List<ArtifactItem> artifactsOf(Handle h, RunRow row) {
        return row.hasArtifacts() ? repo.artifacts(h, List.of(row.id())).getOrDefault(row.id(), List.of()) : List.of();
    }

    /**
     * A run as the API shows it, read in the caller's transaction, for features that report runs outside any request
     * (webhooks); empty when there is no such run.
     */
    public Optional<RunItem> itemIn(Handle h, String runId) {
        return repo.find(h, runId).map(row -> item(row, artifactsOf(h, row)));
    }

    public RunItem get(Principal caller, String runId) {
        return db.readOne(h -> {
            RunRow row = visible(h, caller, runId, "runId");
            return item(row, artifactsOf(h, row));
        });
    }

    /** Whether the caller can see the run; for other features that take run ids. */
    public boolean canSee(Principal caller, String runId) {
        if (!Ids.isUuid(runId)) {
            return false;
        }
        return db.readOne(h -> repo.find(h, runId).filter(r -> canSee(h, caller, r)).isPresent());
    }

    /** Reads a run for another feature of the server, scoped to the caller. */
    public RunView view(Principal caller, String runId, String field) {
        return db.readOne(h -> {
            RunRow r = visible(h, caller, runId, field);
            return new RunView(r.id(), r.ownerId(), r.state(), r.executionLocation(), r.conversationId(), r.sessionId());
        });
    }

    /** The visible run owning a shared session, if any. */
    public Optional<RunView> bySession(Principal caller, String sessionId) {
        if (!Ids.isUuid(sessionId)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("SELECT id FROM runs WHERE session_id = :s").bind("s", sessionId)
                .mapTo(String.class).findOne()
                .flatMap(id -> repo.find(h, id))
                .filter(r -> caller.canSee(r.ownerId()) && inLane(h, caller, r))
                .map(r -> new RunView(r.id(), r.ownerId(), r.state(), r.executionLocation(), r.conversationId(),
                        r.sessionId())));
    }

    /** The newest run of a conversation, when the caller sees it (in its lane, for an agent). */
    public Optional<RunView> newestOfConversation(Principal caller, String conversationId) {
        if (!Ids.isUuid(conversationId)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT id FROM runs WHERE conversation_id = :c ORDER BY created_at DESC, id DESC LIMIT 1""")
                .bind("c", conversationId).mapTo(String.class).findOne()
                .flatMap(id -> repo.find(h, id))
                .filter(r -> caller.canSee(r.ownerId()) && inLane(h, caller, r))
                .map(Runs::view));
    }

    /** What other features need to know about a run. */
    public record RunView(String id, String ownerId, RunState state, RunExecutionLocation location,
            String conversationId, String sessionId) {}

    /**
     * Whose runs a listing reads: everything the caller sees, or with the SDK's active team (a user in several
     * teams) that team's runs and the caller's own. The SDK ignores the header for service accounts, which act as
     * their team; so does Drover. A team the caller is not in is 404, like any foreign id.
     */
    private static List<String> owners(Principal caller, String team) {
        if (team == null || caller.kind() == Principal.Kind.SERVICE_ACCOUNT) {
            return caller.ownerIds();
        }
        if (!caller.teamIds().contains(team)) {
            throw ApiException.notFound(RunsService.TEAM_HEADER, "team");
        }
        return List.of(caller.id(), team);
    }

    /** A page of the runs the caller may see, as {@code GET /agent/runs} and the dashboard's runs page list them. */
    public ListRunsResponse list(Principal caller, RunListQuery query) {
        return list(caller, query.filter, query.sort, query.descending, query.limit, query.cursor);
    }

    public ListRunsResponse list(Principal caller, RunFilter filter, RunSort sort, boolean descending, int limit,
            String rawCursor) {
        if (caller.runScope() != null && filter.ancestorRunId() == null) {
            filter = filter.withAncestor(caller.runScope()); // an agent's listing is of the runs below its own
        }
        String filterHash = filterHash(filter);
        ListCursor cursor = rawCursor == null ? null : ListCursor.decode(rawCursor, sort, descending, filterHash);
        RunFilter f = filter;
        return db.read(h -> {
            if (f.ancestorRunId() != null) {
                visible(h, caller, f.ancestorRunId(), "ancestor_run_id");
                if (caller.runScope() != null && !caller.runScope().equals(f.ancestorRunId()) && h.createQuery(
                                "SELECT COUNT(*) FROM run_ancestors WHERE run_id = :r AND ancestor_id = :own")
                        .bind("r", f.ancestorRunId()).bind("own", caller.runScope()).mapTo(Long.class).one() == 0) {
                    throw ApiException.notFound("ancestor_run_id", "run"); // only below its own run
                }
            }
            long snapshot = cursor != null ? cursor.snapshot() : repo.head(h);
            List<RunRepository.Positioned> rows = repo.page(h, owners(caller, f.team()), f, sort, descending, cursor,
                    snapshot, limit + 1);
            boolean more = rows.size() > limit;
            List<RunRepository.Positioned> page = more ? rows.subList(0, limit) : rows;
            Map<String, List<ArtifactItem>> artifacts = repo.artifacts(h,
                    page.stream().map(RunRepository.Positioned::row).filter(RunRow::hasArtifacts).map(RunRow::id).toList());
            List<RunItem> items = new ArrayList<>();
            for (RunRepository.Positioned p : page) {
                items.add(item(p.row(), artifacts.getOrDefault(p.row().id(), List.of())));
            }
            String next = null;
            if (more) {
                RunRepository.Positioned last = page.getLast();
                next = new ListCursor(sort.wire, descending, last.key(), last.row().id(), snapshot, filterHash).encode();
            }
            return new ListRunsResponse(items, new PageInfo(more, next));
        });
    }

    private static String filterHash(RunFilter filter) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Json.mapper().writeValueAsBytes(filter));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code POST /agent/runs/{id}/cancel}: the spec's answers for every state. */
    public String cancel(Principal caller, String runId) {
        return db.write(h -> {
            RunRow run = visible(h, caller, runId, "runId");
            if (run.executionLocation() == RunExecutionLocation.LOCAL) {
                throw ApiException.unsupported("runId: run is executed locally by its client and cannot be cancelled here");
            }
            switch (run.state()) {
                case QUEUED -> transition(h, run, RunState.CANCELLED,
                        new RunStatusMessage("Cancelled by " + caller.displayName() + " before it started", null, null),
                        null);
                case PENDING -> throw ApiException.conflict(
                        "runId: run is being prepared (PENDING) and cannot be cancelled yet; retry in a moment", true);
                case CLAIMED, INPROGRESS -> {
                    if (repo.requestCancel(h, run.id(), run.state())) {
                        events.append(h, run.id(), "run_cancel_requested", null, null, clock.instant());
                    }
                }
                default -> throw ApiException.badRequest("runId", "run is already " + run.state() + " and cannot be cancelled");
            }
            return run.id();
        });
    }

    /**
     * Applies a state change reported through {@code POST /agent/events/{runId}}; illegal moves are 409.
     */
    public RunEvent report(Principal caller, String runId, String eventType, String executionId, String refId,
            RunStatusMessage reported) {
        // a run-scoped token never gets here: RunTokenLane refuses it every lifecycle report (an agent does not say
        // how its own run, or any other, ended — its worker or its client does)
        RunState to = RunTransitions.targetOfReported(eventType).orElseThrow(() -> ApiException.badRequest(
                "event_type", "unknown value \"" + eventType + "\"; one of "
                        + String.join(", ", RunTransitions.REPORTABLE.stream().sorted().toList())));
        if (executionId != null && (executionId.isBlank() || executionId.length() > 255)) {
            throw ApiException.badRequest("execution_id", "must be 1 to 255 characters");
        }
        return db.write(h -> {
            RunRow run = visible(h, caller, runId, "runId");
            if (caller.worker()) {
                fence(run, executionId);
            } else if (run.executionLocation() == RunExecutionLocation.REMOTE) {
                // a worker executes it: only that worker's execution says how it goes (a user stops it with cancel)
                throw ApiException.forbidden("runId: the lifecycle of a REMOTE run is reported by the worker holding "
                        + "its lease; stop it with POST /agent/runs/" + run.id() + "/cancel");
            }
            RunStatusMessage status = reported != null ? reported : switch (to) {
                case ERROR -> new RunStatusMessage("Reported as errored by its client", PlatformErrorCode.INTERNAL_ERROR, true);
                case CANCELLED -> new RunStatusMessage("Reported as cancelled by its client", null, null);
                default -> null;
            };
            if (status != null && (status.message() == null || status.message().isBlank())) {
                throw ApiException.badRequest("status_message.message", "is required");
            }
            Instant now = clock.instant();
            if (run.state() == to && executionId != null) {
                // a retried report whose first attempt took effect (its answer was lost): the same answer again
                Optional<RunEvent> earlier = events.latest(h, run.id(), eventType, executionId);
                if (earlier.isPresent()) {
                    renewLocalLease(h, run, to, now);
                    return earlier.get();
                }
            }
            if (run.executionLocation() == RunExecutionLocation.LOCAL && run.state() == RunState.INPROGRESS
                    && to == RunState.INPROGRESS) {
                // a LOCAL run's client saying it is still there: the keep-alive that renews its lease
                renewLocalLease(h, run, to, now);
                return events.latest(h, run.id(), eventType, null).orElseThrow();
            }
            if (caller.worker() && run.state().isTerminal()) {
                throw ApiException.conflict("event_type: the run already ended " + run.state()
                        + "; this execution's report is not the one that ended it", false);
            }
            RunEvent event = transition(h, run, to, status, executionId, refId);
            renewLocalLease(h, run, to, now);
            return event;
        });
    }

    /**
     * How long a LOCAL run may go without an event from its client before it stops counting against its team's
     * concurrency: it then ends ERROR (retryable), like a REMOTE run whose worker went quiet.
     */
    public static final java.time.Duration LOCAL_LEASE = java.time.Duration.ofHours(1);

    /** A LOCAL run in progress holds a lease that each event its client reports renews (and that ends with it). */
    private void renewLocalLease(Handle h, RunRow run, RunState to, Instant now) {
        if (run.executionLocation() != RunExecutionLocation.LOCAL) {
            return;
        }
        h.createUpdate("UPDATE runs SET lease_expires_at = :until WHERE id = :id")
                .bind("until", to == RunState.INPROGRESS ? Times.micros(now.plus(LOCAL_LEASE)) : null)
                .bind("id", run.id()).execute();
    }

    /**
     * A worker reports for the execution it was handed (the claim's {@code execution_id}), and only that execution
     * may move the run: after a lease expired and the run was claimed again (by another worker, or by the same one)
     * the old execution's reports are refused, 409, not retryable — its worker must stop and report nothing more.
     */
    private static void fence(RunRow run, String executionId) {
        if (executionId == null) {
            throw ApiException.badRequest("execution_id",
                    "is required when a worker reports: the execution_id of the claim that handed it the run");
        }
        String current = run.workerId() == null ? null : WorkerReport.executionId(run.workerId(), run.attempts());
        if (!executionId.equals(current)) {
            throw ApiException.conflict("execution_id: " + executionId + " no longer holds this run (it was handed to "
                    + "another execution after its lease expired); stop it and report nothing more", false);
        }
        if (run.state() == RunState.QUEUED) {
            throw ApiException.conflict("execution_id: " + executionId + " lost this run's lease and the run was queued "
                    + "again; stop it and report nothing more", false);
        }
    }

    /**
     * A state change made by Drover itself (dispatch, workers, lease expiry) rather than by a caller: the same
     * table, compare-and-set and event as every other path.
     */
    public RunEvent advance(String runId, RunState to, RunStatusMessage status) {
        return db.write(h -> transition(h, repo.find(h, runId)
                .orElseThrow(() -> ApiException.notFound("runId", "run")), to, status, null, null));
    }

    private RunEvent transition(Handle h, RunRow run, RunState to, RunStatusMessage status, String executionId) {
        return transition(h, run, to, status, executionId, null);
    }

    /** The one way a run changes state: check the table, compare-and-set, append the event, all in {@code h}. */
    RunEvent transition(Handle h, RunRow run, RunState to, RunStatusMessage status, String executionId, String refId) {
        if (!RunTransitions.allowed(run.executionLocation(), run.state(), to)) {
            throw ApiException.conflict("event_type: a " + run.state() + " run cannot become " + to, false);
        }
        Instant now = clock.instant();
        Long started = to == RunState.INPROGRESS ? Times.micros(now) : null;
        if (!repo.compareAndSet(h, run.id(), run.state(), to, status == null ? null : RunRepository.json(status), started)) {
            RunState current = repo.find(h, run.id()).map(RunRow::state).orElse(run.state());
            throw ApiException.conflict("event_type: run changed concurrently; it is now " + current, true);
        }
        // the environment's setup_failed follows the latest run whose setup finished, in this same transaction
        if (run.environmentId() != null && to == RunState.INPROGRESS) {
            EnvironmentLinks.setupSucceeded(h, run.environmentId(), Times.micros(now));
        } else if (run.environmentId() != null && to == RunState.FAILED && status != null
                && status.errorCode() == PlatformErrorCode.ENVIRONMENT_SETUP_FAILED) {
            EnvironmentLinks.setupFailed(h, run.environmentId());
        }
        RunEvent event = events.append(h, run.id(), RunTransitions.eventFor(run.state(), to), refId, executionId, now);
        if (run.state() == RunState.INPROGRESS && CONTINUED_AFTER.contains(to)
                && run.executionLocation() == RunExecutionLocation.REMOTE && hasUnreadFollowups(h, run.id())) {
            // a follow-up came while the agent was finishing its turn and was never read: it is not lost, the run
            // takes another turn for it at once (in this transaction, so no reader sees it ended with it unread)
            continueRun(h, repo.find(h, run.id()).orElseThrow(), null, "Continued by a follow-up that arrived as "
                    + "its previous turn ended");
        }
        return event;
    }

    /**
     * A claim's state change, QUEUED → PENDING (and → CLAIMED with {@code accept}), as one compare-and-set that also
     * leases the run to {@code workerId}; then one event per step, in this same transaction. Neither step has the
     * side effects {@link #transition} looks after (environment links, follow-ups), so only the table and the
     * events are left to it. False when the run is no longer QUEUED (another claimer took it).
     */
    boolean claimTransition(Handle h, RunRow queued, String workerId, Instant leaseUntil, boolean accept) {
        RunState to = accept ? RunState.CLAIMED : RunState.PENDING;
        if (queued.state() != RunState.QUEUED
                || !RunTransitions.allowed(queued.executionLocation(), RunState.QUEUED, RunState.PENDING)
                || (accept && !RunTransitions.allowed(queued.executionLocation(), RunState.PENDING, RunState.CLAIMED))) {
            throw ApiException.conflict("event_type: a " + queued.state() + " run cannot become " + to, false);
        }
        if (!repo.claim(h, queued.id(), workerId, Times.micros(leaseUntil), accept)) {
            return false;
        }
        Instant now = clock.instant();
        events.append(h, queued.id(), RunTransitions.eventFor(RunState.QUEUED, RunState.PENDING), workerId, null, now);
        if (accept) {
            events.append(h, queued.id(), RunTransitions.eventFor(RunState.PENDING, RunState.CLAIMED), workerId, null,
                    now);
        }
        return true;
    }

    /** A run's API shape and its attachments' references, read in the caller's transaction. */
    RunItem itemOf(Handle h, RunRow row) {
        return item(row, artifactsOf(h, row));
    }

    /**
     * The ends after which an unread follow-up continues a (REMOTE) run; a cancel or a lost worker stops it instead,
     * and a LOCAL run's client decides for itself what to do with its inbox.
     */
    private static final java.util.Set<RunState> CONTINUED_AFTER = java.util.EnumSet.of(RunState.SUCCEEDED,
            RunState.FAILED, RunState.BLOCKED);

    private static boolean hasUnreadFollowups(Handle h, String runId) {
        return h.createQuery("""
                        SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE recipient_id = :r AND kind = 'followup'
                        AND read_at IS NULL LIMIT 1) f""")
                .bind("r", runId).mapTo(Long.class).one() > 0;
    }

    /**
     * An ended run goes back to QUEUED for another turn ({@code run_continued}, {@code refId} the follow-up): its
     * turn counts up, its claim will hand it the conversation so far, and the next claim is a new execution (a new
     * attempt, so reports of the old one stay fenced off). The workspace of the last turn is its worker's until that
     * worker takes the run again or removes it; {@code is_sandbox_running} is false meanwhile.
     */
    RunEvent continueRun(Handle h, RunRow ended, String refId, String why) {
        h.createUpdate("UPDATE runs SET turn = turn + 1, sandbox_running = FALSE WHERE id = :id AND state = :state")
                .bind("id", ended.id()).bind("state", ended.state().name()).execute();
        return transition(h, ended, RunState.QUEUED, new RunStatusMessage(why, null, null), null, refId);
    }

    RunItem item(RunRow r, List<ArtifactItem> artifacts) {
        AmbientAgentConfig config = read(r.configJson(), AmbientAgentConfig.class);
        return new RunItem(r.id(), r.id(), r.title(), r.state(), r.executionLocation(), r.prompt(),
                Times.instant(r.createdAt()), Times.instant(r.updatedAt()), Times.instantOrNull(r.startedAt()),
                read(r.statusMessageJson(), RunStatusMessage.class), r.source(),
                read(r.scheduleJson(), ScheduleInfo.class), r.sessionId(), publicUrl.get() + "/sessions/" + r.sessionId(),
                triggerUrl(r), new RunCreatorInfo(r.creatorKind(), r.creatorId(), r.creatorName(), r.creatorEmail(), null),
                r.requestUsageJson() == null ? null : usage(r.requestUsageJson()), config,
                r.conversationId(), r.parentRunId(), r.sandboxRunning(), artifacts,
                read(r.agentSkillJson(), AgentSkill.class), new Scope(r.ownerType(), r.ownerId()),
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
        if (r.startedAt() == null) {
            return null;
        }
        Instant end = r.state().isTerminal() ? Times.instant(r.updatedAt()) : now;
        java.time.Duration d = java.time.Duration.between(Times.instant(r.startedAt()), end);
        return (d.isNegative() ? java.time.Duration.ZERO : d).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** A run's stored usage, with rows written before the USD fields existed (their inference_cost was USD) read as such. */
    private static RequestUsage usage(String json) {
        return Usage.normalized(json == null ? null : read(json, RequestUsage.class));
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return json == null ? null : Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON column for " + type.getSimpleName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> readStringMap(String json) {
        return json == null ? null : read(json, Map.class);
    }
}
