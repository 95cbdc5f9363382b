package dev.drover.server.schedules;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.CreateScheduledAgentRequest;
import dev.drover.api.Json;
import dev.drover.api.ListScheduledAgentsResponse;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunCreatorInfo;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.ScheduleInfo;
import dev.drover.api.ScheduledAgentHistoryItem;
import dev.drover.api.ScheduledAgentItem;
import dev.drover.api.Scope;
import dev.drover.api.UpdateScheduledAgentRequest;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.EnvironmentLinks;
import dev.drover.server.identities.IdentityLinks;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.runs.RunRequests;
import dev.drover.server.runs.Runs;
import dev.drover.server.skills.SkillSpec;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled agents: their CRUD, scoped like runs (foreign ids are 404), and their firing. A tick fires once:
 * the node that moves {@code next_run} past it (compare-and-set) records the tick in {@code schedule_fires}
 * (primary key: schedule and tick) and creates the run in the same transaction. Ticks missed while no node ran
 * collapse into one: the next tick is computed from now, not from the missed one.
 */
public final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);
    public static final int MAX_DUE_PER_PASS = 100;

    private final Database db;
    private final Runs runs;
    private final Accounts accounts;
    private final Clock clock;

    public Schedules(Database db, Runs runs, Accounts accounts, Clock clock) {
        this.db = db;
        this.runs = runs;
        this.accounts = accounts;
        this.clock = clock;
    }

    public ScheduledAgentItem create(Principal caller, CreateScheduledAgentRequest r) {
        if (r == null) {
            throw ApiException.badRequest("body", "a schedule is required");
        }
        CronSchedule cron = validate(r.name(), r.cronSchedule(), r.prompt(), r.agentConfig());
        RunRequests.validateMetadata(r.metadata());
        String mode = RunRequests.mode("mode", r.mode(), r.agentConfig(), "agent_config");
        boolean team = r.team() != null ? r.team()
                : caller.kind() == Principal.Kind.SERVICE_ACCOUNT || caller.teamIds().size() == 1;
        if (team && caller.teamIds().isEmpty()) {
            throw ApiException.badRequest("team", "the caller belongs to no team; create a personal schedule instead");
        }
        boolean enabled = r.enabled() == null || r.enabled();
        Instant now = clock.instant();
        String id = Ids.uuid();
        String ownerId = team ? caller.teamIds().getFirst() : caller.id();
        Text.notBlankIfPresent("agent_uid", r.agentUid());
        db.write(h -> {
            checkEnvironment(h, caller, r.agentConfig(), ownerId);
            if (r.agentUid() != null) {
                IdentityLinks.scheduleSaved(h, db.dialect().lockRows(), caller, ownerId, r.agentUid(), "agent_uid");
            }
            return h.createUpdate("""
                        INSERT INTO schedules (id, owner_type, owner_id, name, cron_schedule, enabled, prompt,
                            config_json, environment_id, created_by, updated_by, created_at, updated_at, next_run,
                            agent_identity_id, metadata_json, mode)
                        VALUES (:id, :ownerType, :ownerId, :name, :cron, :enabled, :prompt, :config, :env, :by, :by,
                            :now, :now, :next, :agent, :metadata, :mode)""")
                .bind("agent", r.agentUid())
                .bind("metadata", metadataJson(r.metadata()))
                .bind("mode", mode)
                .bind("id", id)
                .bind("ownerType", team ? "Team" : "User")
                .bind("ownerId", ownerId)
                .bind("name", r.name().strip())
                .bind("cron", r.cronSchedule().strip())
                .bind("enabled", enabled)
                .bind("prompt", r.prompt() == null ? "" : r.prompt())
                .bind("config", json(r.agentConfig()))
                .bind("env", r.agentConfig() == null ? null : r.agentConfig().environmentId())
                .bind("by", caller.id())
                .bind("now", Times.micros(now))
                .bind("next", enabled ? Times.micros(cron.nextAfter(now)) : null)
                .execute();
        });
        return get(caller, id);
    }

    public ScheduledAgentItem get(Principal caller, String id) {
        return db.readOne(h -> item(visible(h, caller, id)));
    }

    /** Every schedule the caller can see, by name. */
    public ListScheduledAgentsResponse list(Principal caller) {
        return new ListScheduledAgentsResponse(db.readOne(h -> h.createQuery(SELECT
                        + " WHERE s.owner_id IN (<owners>) ORDER BY s.name, s.created_at, s.id")
                .bindList("owners", caller.ownerIds())
                .map((rs, ctx) -> row(rs)).list()).stream().map(Schedules::item).toList());
    }

    /** PUT: every field but the agent config is required; a changed cron or a resume starts from now. */
    public ScheduledAgentItem update(Principal caller, String id, UpdateScheduledAgentRequest r) {
        if (r == null) {
            throw ApiException.badRequest("body", "a schedule is required");
        }
        CronSchedule cron = validate(r.name(), r.cronSchedule(), r.prompt(), r.agentConfig());
        RunRequests.validateMetadata(r.metadata());
        String mode = RunRequests.mode("mode", r.mode(), r.agentConfig(), "agent_config");
        if (r.enabled() == null) {
            throw ApiException.badRequest("enabled", "is required");
        }
        db.write(h -> {
            ScheduleRow old = locked(h, caller, id);
            checkEnvironment(h, caller, r.agentConfig(), old.ownerId());
            // left out: the identity stays; "": none; a uid: that identity, checked like a new one
            String agent = r.agentUid() == null ? old.agentIdentityId() : r.agentUid().isEmpty() ? null : r.agentUid();
            if (agent != null && !agent.equals(old.agentIdentityId())) {
                Text.notBlankIfPresent("agent_uid", agent);
                IdentityLinks.scheduleSaved(h, db.dialect().lockRows(), caller, old.ownerId(), agent, "agent_uid");
            }
            Instant now = clock.instant();
            // keep the pending tick when nothing about timing changed, so an edit never skips or repeats one
            Long next = !r.enabled() ? null
                    : old.enabled() && old.cron().equals(r.cronSchedule().strip()) && old.nextRun() != null
                            ? old.nextRun() : Times.micros(cron.nextAfter(now));
            h.createUpdate("""
                            UPDATE schedules SET name = :name, cron_schedule = :cron, enabled = :enabled,
                                prompt = :prompt, config_json = :config, environment_id = :env, updated_by = :by,
                                updated_at = :now, next_run = :next, agent_identity_id = :agent,
                                metadata_json = :metadata, mode = :mode
                            WHERE id = :id""")
                    .bind("metadata", metadataJson(r.metadata()))
                    .bind("mode", mode)
                    .bind("id", id)
                    .bind("agent", agent)
                    .bind("name", r.name().strip())
                    .bind("cron", r.cronSchedule().strip())
                    .bind("enabled", r.enabled())
                    .bind("prompt", r.prompt() == null ? "" : r.prompt())
                    .bind("config", json(r.agentConfig()))
                    .bind("env", r.agentConfig() == null ? null : r.agentConfig().environmentId())
                    .bind("by", caller.id())
                    .bind("now", Times.micros(now))
                    .bind("next", next)
                    .execute();
            return null;
        });
        return get(caller, id);
    }

    public void delete(Principal caller, String id) {
        db.write(h -> {
            locked(h, caller, id);
            h.createUpdate("DELETE FROM schedule_fires WHERE schedule_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM schedules WHERE id = :id").bind("id", id).execute();
            return null;
        });
    }

    /** Stops firing; {@code next_run} is cleared. Pausing a paused schedule changes nothing. */
    public ScheduledAgentItem pause(Principal caller, String id) {
        return setEnabled(caller, id, false);
    }

    /** Fires again from the next tick after now: ticks passed while paused are not caught up. */
    public ScheduledAgentItem resume(Principal caller, String id) {
        return setEnabled(caller, id, true);
    }

    private ScheduledAgentItem setEnabled(Principal caller, String id, boolean enabled) {
        db.write(h -> {
            ScheduleRow row = locked(h, caller, id);
            if (row.enabled() == enabled) {
                return null;
            }
            Instant now = clock.instant();
            h.createUpdate("""
                            UPDATE schedules SET enabled = :enabled, next_run = :next, updated_by = :by,
                                updated_at = :now WHERE id = :id""")
                    .bind("id", id)
                    .bind("enabled", enabled)
                    .bind("next", enabled ? Times.micros(CronSchedule.parse("cron_schedule", row.cron()).nextAfter(now))
                            : null)
                    .bind("by", caller.id())
                    .bind("now", Times.micros(now))
                    .execute();
            return null;
        });
        return get(caller, id);
    }

    /** The names of the schedules whose agent config names the environment (it cannot be deleted then). */
    public static List<String> namesUsing(Handle h, String environmentId) {
        return h.createQuery("SELECT name FROM schedules WHERE environment_id = :env ORDER BY name LIMIT 10")
                .bind("env", environmentId).mapTo(String.class).list();
    }

    /** The names of the schedules whose runs act as the agent identity (it cannot be deleted then). */
    public static List<String> namesUsingIdentity(Handle h, String identityId) {
        return h.createQuery("SELECT name FROM schedules WHERE agent_identity_id = :a ORDER BY name LIMIT 10")
                .bind("a", identityId).mapTo(String.class).list();
    }

    /**
     * Fires every schedule whose tick is due, each in a transaction of its own. Safe to call from any number of
     * nodes at once: a tick another node has fired is skipped. Returns the ticks this call fired.
     */
    public int fireDue() {
        long now = Times.micros(clock.instant());
        List<Due> due = db.readOne(h -> h.createQuery("""
                        SELECT id, next_run FROM schedules WHERE next_run IS NOT NULL AND next_run <= :now
                        ORDER BY next_run LIMIT :max""")
                .bind("now", now).bind("max", MAX_DUE_PER_PASS)
                .map((rs, ctx) -> new Due(rs.getString(1), rs.getLong(2))).list());
        int fired = 0;
        for (Due d : due) {
            try {
                if (fire(d)) {
                    fired++;
                }
            } catch (RuntimeException e) {
                // one schedule's trouble (say, the database refusing one write) must not stop the others
                LOG.warn("schedule {} could not fire its tick {}: {}", d.id(), Times.instant(d.tick()), e.toString());
            }
        }
        return fired;
    }

    private record Due(String id, long tick) {}

    /**
     * Fires one tick: creates the run, or, when it cannot be created (its skill or model gone, its last editor no
     * longer in its team, or anything else going wrong), records why in {@code last_spawn_error}. Either way the
     * schedule moves on to its next tick, so one broken schedule never holds up the others. False when another node
     * fired this tick first, or the schedule was edited meanwhile (the next pass fires it as it is now).
     */
    private boolean fire(Due d) {
        ScheduleRow s = db.readOne(h -> h.createQuery(SELECT + " WHERE s.id = :id AND s.next_run = :tick")
                .bind("id", d.id()).bind("tick", d.tick()).map((rs, ctx) -> row(rs)).findOne().orElse(null));
        if (s == null) {
            return false; // fired by another node, or changed, since it was found due
        }
        try {
            // the run acts as the schedule's last editor, who answers for its prompt now, in the schedule's scope
            Principal actor = accounts.principal(s.updater().uid()).orElseThrow(() -> ApiException.badRequest(
                    "updated_by", "the schedule's last editor no longer exists"));
            RunAgentRequest request = new RunAgentRequest(s.prompt().isEmpty() ? null : s.prompt(), null, s.config(),
                    null, "Team".equals(s.ownerType()), s.agentIdentityId(), null, null, null, null, s.metadata(),
                    s.mode());
            // outside the transaction: resolving a skill may read its repository
            Runs.Prepared prepared = runs.prepare(actor, request);
            return db.write(h -> {
                ScheduleRow claimed = claimTick(h, d, s.updatedAt());
                if (claimed == null) {
                    return false;
                }
                String runId = runs.createIn(h, actor, request, new Runs.Origin(RunSourceType.SCHEDULED_AGENT,
                        RunExecutionLocation.REMOTE, new ScheduleInfo(claimed.id(), claimed.name(), claimed.cron()),
                        new Scope(claimed.ownerType(), claimed.ownerId())), prepared).runId();
                recordFire(h, d, runId, null);
                return true;
            });
        } catch (ApiException refused) {
            return recordRefusal(d, s.updatedAt(), refused.detail());
        } catch (RuntimeException e) {
            LOG.warn("schedule {} could not create a run for its tick {}", d.id(), Times.instant(d.tick()), e);
            return recordRefusal(d, s.updatedAt(), "the run could not be created: " + e);
        }
    }

    private boolean recordRefusal(Due d, long updatedAt, String why) {
        return db.write(h -> {
            if (claimTick(h, d, updatedAt) == null) {
                return false;
            }
            recordFire(h, d, null, why);
            return true;
        });
    }

    /**
     * Moves the schedule past {@code d.tick} if it still waits for it, unedited since {@code updatedAt}; null if
     * another node got there first, or it was edited (nothing moves then). A tick already in
     * {@code schedule_fires} is moved past without firing again.
     */
    private ScheduleRow claimTick(Handle h, Due d, long updatedAt) {
        ScheduleRow s = h.createQuery(SELECT + " WHERE s.id = :id AND s.next_run = :tick")
                .bind("id", d.id()).bind("tick", d.tick()).map((rs, ctx) -> row(rs)).findOne().orElse(null);
        if (s == null || s.updatedAt() != updatedAt) {
            return null;
        }
        Instant now = clock.instant();
        Instant from = now.isAfter(Times.instant(d.tick())) ? now : Times.instant(d.tick());
        Instant next = CronSchedule.parse("cron_schedule", s.cron()).nextAfter(from);
        int moved = h.createUpdate("UPDATE schedules SET next_run = :next WHERE id = :id AND next_run = :tick")
                .bind("next", next == null ? null : Times.micros(next)).bind("id", d.id()).bind("tick", d.tick())
                .execute();
        boolean firedBefore = h.createQuery("SELECT 1 FROM schedule_fires WHERE schedule_id = :id AND tick = :tick")
                .bind("id", d.id()).bind("tick", d.tick()).mapTo(Integer.class).findOne().isPresent();
        return moved == 1 && !firedBefore ? s : null;
    }

    private void recordFire(Handle h, Due d, String runId, String error) {
        long now = Times.micros(clock.instant());
        // the primary key (schedule, tick) is the last word on "once per tick"
        h.createUpdate("""
                        INSERT INTO schedule_fires (schedule_id, tick, run_id, error, fired_at)
                        VALUES (:id, :tick, :run, :error, :now)""")
                .bind("id", d.id()).bind("tick", d.tick()).bind("run", runId).bind("error", error).bind("now", now)
                .execute();
        // earlier ticks can never be due again (next_run only moves past now), so only the latest row is kept:
        // the table stays one row per schedule instead of one per tick for ever
        h.createUpdate("DELETE FROM schedule_fires WHERE schedule_id = :id AND tick < :tick")
                .bind("id", d.id()).bind("tick", d.tick()).execute();
        h.createUpdate(runId != null
                        ? "UPDATE schedules SET last_ran = :now, last_spawn_error = NULL WHERE id = :id"
                        : "UPDATE schedules SET last_spawn_error = :error WHERE id = :id")
                .bind("id", d.id()).bind("now", now).bind("error", error).execute();
        if (error != null) {
            LOG.info("schedule {} created no run for its tick {}: {}", d.id(), Times.instant(d.tick()), error);
        }
    }

    /** The environment must be the schedule's own scope's: a team schedule never shows a member's personal one. */
    private void checkEnvironment(Handle h, Principal caller, AmbientAgentConfig config, String scheduleOwner) {
        if (config != null && config.environmentId() != null) {
            EnvironmentLinks.scheduleSaved(h, db.dialect().lockRows(), caller, scheduleOwner, config.environmentId(),
                    "agent_config.environment_id");
        }
    }

    private static CronSchedule validate(String name, String cronSchedule, String prompt, AmbientAgentConfig config) {
        Text.required("name", name);
        RunRequests.maxChars("name", name, RunRequests.MAX_NAME_CHARS);
        Text.notBlankIfPresent("prompt", prompt); // as a run's: blank is refused, not taken for "no prompt"
        CronSchedule cron = CronSchedule.parse("cron_schedule", cronSchedule);
        if (config != null) { // first: whether it has a skill depends on agent_config.skills being one spec
            RunRequests.validateConfig("agent_config", config);
        }
        boolean hasSkill = RunRequests.notBlank(RunRequests.skillSpec(config));
        if (!RunRequests.notBlank(prompt) && !hasSkill) {
            throw ApiException.badRequest("prompt", "either prompt or agent_config.skill_spec (or agent_config.skills) is required");
        }
        if (prompt != null && prompt.getBytes(StandardCharsets.UTF_8).length > RunRequests.MAX_PROMPT_BYTES) {
            throw ApiException.badRequest("prompt", "must be at most " + RunRequests.MAX_PROMPT_BYTES + " bytes");
        }
        if (config != null) {
            if (hasSkill) {
                SkillSpec.parse(config.skillSpec() != null ? "agent_config.skill_spec" : "agent_config.skills[0]",
                        RunRequests.skillSpec(config));
            }
        }
        return cron;
    }

    /**
     * The schedule, its row locked until the transaction ends: an edit and a node firing a tick then happen one
     * after the other, so an edit never writes back a tick that has just fired.
     */
    private ScheduleRow locked(Handle h, Principal caller, String id) {
        if (Ids.isUuid(id)) {
            h.createQuery("SELECT id FROM schedules WHERE id = :id" + db.dialect().lockRows()).bind("id", id)
                    .mapTo(String.class).findOne();
        }
        return visible(h, caller, id);
    }

    private ScheduleRow visible(Handle h, Principal caller, String id) {
        if (!Ids.isUuid(id)) {
            throw ApiException.notFound("scheduleId", "schedule");
        }
        return h.createQuery(SELECT + " WHERE s.id = :id").bind("id", id).map((rs, ctx) -> row(rs)).findOne()
                .filter(s -> caller.canSee(s.ownerId()))
                .orElseThrow(() -> ApiException.notFound("scheduleId", "schedule"));
    }

    private static final String SELECT = """
            SELECT s.*, c.kind AS c_kind, c.display_name AS c_name, c.email AS c_email,
                u.kind AS u_kind, u.display_name AS u_name, u.email AS u_email, e.config_json AS environment_json
            FROM schedules s JOIN principals c ON c.id = s.created_by JOIN principals u ON u.id = s.updated_by
            LEFT JOIN environments e ON e.uid = s.environment_id""";

    /** A schedule as stored, with its creator and last editor. */
    private record ScheduleRow(String id, String ownerType, String ownerId, String name, String cron, boolean enabled,
            String prompt, String configJson, RunCreatorInfo creator, RunCreatorInfo updater, long createdAt,
            long updatedAt, Long nextRun, Long lastRan, String lastSpawnError, String environmentJson,
            String agentIdentityId, String metadataJson, String mode) {

        @SuppressWarnings("unchecked")
        java.util.Map<String, String> metadata() {
            try {
                return metadataJson == null ? null : Json.mapper().readValue(metadataJson, java.util.Map.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("schedule " + id + " has unreadable metadata", e);
            }
        }

        CloudEnvironmentConfig environment() {
            try {
                return environmentJson == null ? null
                        : Json.mapper().readValue(environmentJson, CloudEnvironmentConfig.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("schedule " + id + " names an unreadable environment", e);
            }
        }

        AmbientAgentConfig config() {
            if (configJson == null) {
                return null;
            }
            try {
                return Json.mapper().readValue(configJson, AmbientAgentConfig.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("schedule " + id + " has an unreadable agent config", e);
            }
        }
    }

    private static ScheduleRow row(ResultSet rs) throws SQLException {
        return new ScheduleRow(rs.getString("id"), rs.getString("owner_type"), rs.getString("owner_id"),
                rs.getString("name"), rs.getString("cron_schedule"), rs.getBoolean("enabled"), rs.getString("prompt"),
                rs.getString("config_json"),
                new RunCreatorInfo(rs.getString("c_kind"), rs.getString("created_by"), rs.getString("c_name"),
                        rs.getString("c_email"), null),
                new RunCreatorInfo(rs.getString("u_kind"), rs.getString("updated_by"), rs.getString("u_name"),
                        rs.getString("u_email"), null),
                rs.getLong("created_at"), rs.getLong("updated_at"),
                Rows.nullableLong(rs, "next_run"), Rows.nullableLong(rs, "last_ran"), rs.getString("last_spawn_error"),
                rs.getString("environment_json"), rs.getString("agent_identity_id"), rs.getString("metadata_json"),
                rs.getString("mode"));
    }

    private static ScheduledAgentItem item(ScheduleRow s) {
        return new ScheduledAgentItem(s.id(), s.name(), s.cron(), s.enabled(), s.prompt(), s.lastSpawnError(),
                s.config(), s.environment(), Times.instant(s.createdAt()), Times.instant(s.updatedAt()), s.creator(), s.updater(),
                new ScheduledAgentHistoryItem(Times.instantOrNull(s.lastRan()), Times.instantOrNull(s.nextRun())),
                new Scope(s.ownerType(), s.ownerId()), s.agentIdentityId(), s.metadata(), s.mode());
    }

    private static String metadataJson(java.util.Map<String, String> metadata) {
        try {
            return metadata == null || metadata.isEmpty() ? null : Json.mapper().writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(AmbientAgentConfig config) {
        if (config == null) {
            return null;
        }
        try {
            return Json.mapper().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
