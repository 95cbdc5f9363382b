package dev.drover.server.runs;

import dev.drover.api.AgentSkill;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import dev.drover.api.Scope;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.environments.EnvironmentLinks;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.Runs.Origin;
import dev.drover.server.runs.Runs.Prepared;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Sha256;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Creating runs: the request checked (and an agent's child run kept in its lane), its identity and skill resolved,
 * idempotency keys replayed, and the row, its attachments and its {@code run_queued} event written in one transaction.
 */
final class RunCreation {
    private final Database db;
    private final RunRepository repo;
    private final EventLog events;
    private final ModelCatalog models;
    private final BlobStore blobs;
    private final Clock clock;
    private final int teamConcurrency;
    private final SkillResolver skills;
    private final IdentityResolver identities;
    private final RunQueries queries;

    RunCreation(Database db, RunRepository repo, EventLog events, ModelCatalog models, BlobStore blobs, Clock clock,
            int teamConcurrency, SkillResolver skills, IdentityResolver identities, RunQueries queries) {
        this.db = db;
        this.repo = repo;
        this.events = events;
        this.models = models;
        this.blobs = blobs;
        this.clock = clock;
        this.teamConcurrency = teamConcurrency;
        this.skills = skills;
        this.identities = identities;
        this.queries = queries;
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
            return db.writeGrouped(h -> insert(h, caller, request, config, origin, prepared, attachments, blobKeys,
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
            RunRow parent = queries.visible(h, caller, r.parentRunId(), "parent_run_id");
            depth = parent.depth() + 1;
            if (depth > Runs.MAX_DEPTH) {
                throw ApiException.badRequest("parent_run_id", "runs may be nested at most " + Runs.MAX_DEPTH + " deep");
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
                r.prompt() == null ? "" : r.prompt(), origin.source(), origin.location(), JsonColumns.write(config),
                config.name(), config.modelId(), config.environmentId(), skillSpec,
                skill == null ? null : skill.name(),
                skill == null ? null : JsonColumns.write(new AgentSkill(skill.name(), skill.description(),
                        skill.path(), null)),
                instructions(skill, prepared.identityInstructions()),
                origin.schedule() == null ? null : origin.schedule().scheduleId(),
                origin.schedule() == null ? null : JsonColumns.write(origin.schedule()), conversationId,
                r.parentRunId(), depth, Ids.uuid(), Boolean.TRUE.equals(r.interactive()), r.metadata(), Runs.pool(config),
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
        // last, and left to the batch's end when grouped on PostgreSQL (EventLog.appendAtCommit)
        if (r.parentRunId() != null) {
            events.appendAtCommit(h, r.parentRunId(), "child_agent_started", id, null, now, EventLog.RunRowHeld.NO);
        }
        events.appendAtCommit(h, id, RunTransitions.eventFor(null, RunState.QUEUED), null, null, now,
                EventLog.RunRowHeld.CREATED);
        return new RunAgentResponse(id, id, RunState.QUEUED, atCapacity);
    }

    /** What the run's agent is told besides its prompt: its skill's instructions, then its identity's skills'. */
    private static String instructions(SkillResolver.ResolvedSkill skill, String identityInstructions) {
        if (skill == null) {
            return identityInstructions;
        }
        return identityInstructions == null ? skill.instructions() : skill.instructions() + "\n\n" + identityInstructions;
    }

    private static String hash(RunAgentRequest request, Origin origin) {
        return Sha256.hex(JsonColumns.write(request).getBytes(StandardCharsets.UTF_8),
                origin.toString().getBytes(StandardCharsets.UTF_8));
    }
}
