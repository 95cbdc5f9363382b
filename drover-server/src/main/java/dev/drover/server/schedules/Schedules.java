package dev.drover.server.schedules;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.CreateScheduledAgentRequest;
import dev.drover.api.ListScheduledAgentsResponse;
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
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Scheduled agents: their CRUD, scoped like runs (foreign ids are 404); their firing is {@link ScheduleTicks}'.
 */
public final class Schedules {
    public static final int MAX_DUE_PER_PASS = ScheduleTicks.MAX_DUE_PER_PASS;

    private final Database db;
    private final Clock clock;
    private final ScheduleTicks ticks;

    public Schedules(Database db, Runs runs, Accounts accounts, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.ticks = new ScheduleTicks(db, runs, accounts, clock);
    }

    /**
     * Fires every schedule whose tick is due, each in a transaction of its own; safe on any number of nodes at
     * once. Returns the ticks this call fired.
     */
    public int fireDue() {
        return ticks.fireDue();
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
                .bind("config", JsonColumns.write(r.agentConfig()))
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
        return new ListScheduledAgentsResponse(db.readOne(h -> h.createQuery(ScheduleRow.SELECT
                        + " WHERE s.owner_id IN (<owners>) ORDER BY s.name, s.created_at, s.id")
                .bindList("owners", caller.ownerIds())
                .map((rs, ctx) -> ScheduleRow.of(rs)).list()).stream().map(Schedules::item).toList());
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
                    .bind("config", JsonColumns.write(r.agentConfig()))
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

    /** The environment must be the schedule's own scope's: a team schedule never shows a member's personal one. */
    private void checkEnvironment(Handle h, Principal caller, AmbientAgentConfig config, String scheduleOwner) {
        if (config != null && config.environmentId() != null) {
            EnvironmentLinks.scheduleSaved(h, db.dialect().lockRows(), caller, scheduleOwner, config.environmentId(),
                    "agent_config.environment_id");
        }
    }

    private static CronSchedule validate(String name, String cronSchedule, String prompt, AmbientAgentConfig config) {
        Text.required("name", name);
        Text.maxChars("name", name, RunRequests.MAX_NAME_CHARS);
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
        return h.createQuery(ScheduleRow.SELECT + " WHERE s.id = :id").bind("id", id)
                .map((rs, ctx) -> ScheduleRow.of(rs)).findOne()
                .filter(s -> caller.canSee(s.ownerId()))
                .orElseThrow(() -> ApiException.notFound("scheduleId", "schedule"));
    }

    private static ScheduledAgentItem item(ScheduleRow s) {
        return new ScheduledAgentItem(s.id(), s.name(), s.cron(), s.enabled(), s.prompt(), s.lastSpawnError(),
                s.config(), s.environment(), Times.instant(s.createdAt()), Times.instant(s.updatedAt()), s.creator(), s.updater(),
                new ScheduledAgentHistoryItem(Times.instantOrNull(s.lastRan()), Times.instantOrNull(s.nextRun())),
                new Scope(s.ownerType(), s.ownerId()), s.agentIdentityId(), s.metadata(), s.mode());
    }

    private static String metadataJson(java.util.Map<String, String> metadata) {
        return metadata == null || metadata.isEmpty() ? null : JsonColumns.write(metadata);
    }
}
