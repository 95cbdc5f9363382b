package dev.drover.server.schedules;

import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.ScheduleInfo;
import dev.drover.api.Scope;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firing of schedules. A tick fires once: the node that moves {@code next_run} past it (compare-and-set) records
 * the tick in {@code schedule_fires} (primary key: schedule and tick) and creates the run in the same transaction.
 * Ticks missed while no node ran collapse into one: the next tick is computed from now, not from the missed one.
 */
final class ScheduleTicks {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleTicks.class);
    static final int MAX_DUE_PER_PASS = 100;

    private final Database db;
    private final Runs runs;
    private final Accounts accounts;
    private final Clock clock;

    ScheduleTicks(Database db, Runs runs, Accounts accounts, Clock clock) {
        this.db = db;
        this.runs = runs;
        this.accounts = accounts;
        this.clock = clock;
    }

    /**
     * Fires every schedule whose tick is due, each in a transaction of its own. Safe to call from any number of
     * nodes at once: a tick another node has fired is skipped. Returns the ticks this call fired.
     */
    int fireDue() {
        long now = Times.micros(clock.instant());
        List<Due> due = db.readOne(h -> h.createQuery("""
                        SELECT id, next_run FROM schedules WHERE next_run IS NOT NULL AND next_run <= :now
                        ORDER BY next_run LIMIT <max>""")
                .bind("now", now).define("max", MAX_DUE_PER_PASS)
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
        ScheduleRow s = db.readOne(h -> h.createQuery(ScheduleRow.SELECT + " WHERE s.id = :id AND s.next_run = :tick")
                .bind("id", d.id()).bind("tick", d.tick()).map((rs, ctx) -> ScheduleRow.of(rs)).findOne().orElse(null));
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
        ScheduleRow s = h.createQuery(ScheduleRow.SELECT + " WHERE s.id = :id AND s.next_run = :tick")
                .bind("id", d.id()).bind("tick", d.tick()).map((rs, ctx) -> ScheduleRow.of(rs)).findOne().orElse(null);
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
}
