package dev.drover.server.environments;

import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import org.jdbi.v3.core.Handle;

/**
 * What runs record about their environment, inside the run's own transaction so that the environment's
 * {@code last_task_created} and {@code setup_failed} change atomically with the run's creation and its events.
 * Lock order stays runs → environments → event counter: these run after the run's row is written and before
 * its event is appended.
 */
public final class EnvironmentLinks {
    private EnvironmentLinks() {}

    /**
     * A run is being created in {@code uid}: refused with 404 naming {@code field} unless the caller can see the
     * environment (unknown and foreign are the same answer); otherwise the run becomes its latest. An environment
     * deleted concurrently leaves the run pointing at nothing: its claim then fails it with resource_not_found.
     */
    public static void runCreated(Handle h, Principal caller, String uid, String runId, String field) {
        String owner = EnvironmentRequests.isUid(uid) ? h.createQuery(
                        "SELECT owner_id FROM environments WHERE uid = :uid")
                .bind("uid", uid).mapTo(String.class).findOne().orElse(null) : null;
        if (owner == null || !caller.canSee(owner)) {
            throw ApiException.notFound(field, "environment");
        }
        h.createUpdate("UPDATE environments SET last_run_id = :run WHERE uid = :uid")
                .bind("run", runId).bind("uid", uid).execute();
    }

    /**
     * A schedule owned by {@code scheduleOwner} is being saved with {@code uid}: refused with 404 naming
     * {@code field} unless the caller can see the environment, and with 400 unless it belongs to the schedule's own
     * scope (a team schedule would show a member's personal environment to the whole team). The environment's row
     * stays locked until the schedule's transaction ends, so a concurrent delete (which locks it too, then looks
     * for schedules) either happens first or sees the schedule.
     */
    public static void scheduleSaved(Handle h, String lockRows, Principal caller, String scheduleOwner, String uid,
            String field) {
        String owner = EnvironmentRequests.isUid(uid) ? h.createQuery(
                        "SELECT owner_id FROM environments WHERE uid = :uid" + lockRows)
                .bind("uid", uid).mapTo(String.class).findOne().orElse(null) : null;
        if (owner == null || !caller.canSee(owner)) {
            throw ApiException.notFound(field, "environment");
        }
        if (!owner.equals(scheduleOwner)) {
            throw ApiException.badRequest(field, "the environment belongs to another scope than the schedule "
                    + "(a team schedule needs a team environment, a personal one a personal environment)");
        }
    }

    /** A run of the environment got past its setup and started: setup works again. */
    public static void setupSucceeded(Handle h, String uid, long now) {
        h.createUpdate("UPDATE environments SET setup_failed = FALSE, last_run_at = :now WHERE uid = :uid")
                .bind("now", now).bind("uid", uid).execute();
    }

    /** A run of the environment failed its setup ({@code environment_setup_failed}). */
    public static void setupFailed(Handle h, String uid) {
        h.createUpdate("UPDATE environments SET setup_failed = TRUE WHERE uid = :uid").bind("uid", uid).execute();
    }
}
