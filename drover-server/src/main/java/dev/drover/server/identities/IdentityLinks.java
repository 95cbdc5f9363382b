package dev.drover.server.identities;

import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import org.jdbi.v3.core.Handle;

/** What other features record about agent identities, in their own transactions (schedules naming one). */
public final class IdentityLinks {
    private IdentityLinks() {}

    /**
     * A schedule owned by {@code scheduleOwner} is being saved with identity {@code uid}: refused with 404 naming
     * {@code field} unless the caller can see the identity (unknown, deleted and foreign are the same answer), and
     * with 400 unless the identity belongs to the schedule's own team. The identity's row stays locked until the
     * schedule's transaction ends, so a concurrent delete (which locks it too, then looks for schedules) either
     * happens first — and this save then finds it deleted — or sees the schedule and is refused.
     */
    public static void scheduleSaved(Handle h, String lockRows, Principal caller, String scheduleOwner, String uid,
            String field) {
        String team = Identities.isUid(uid) ? h.createQuery(
                        "SELECT team_id FROM agent_identities WHERE id = :id AND deleted_at IS NULL" + lockRows)
                .bind("id", uid).mapTo(String.class).findOne().orElse(null) : null;
        if (team == null || !caller.teamIds().contains(team)) {
            throw ApiException.notFound(field, "agent identity");
        }
        if (!team.equals(scheduleOwner)) {
            throw ApiException.badRequest(field, "an agent identity acts for its own team only; this schedule is owned "
                    + "by " + (scheduleOwner.equals(caller.id()) ? "the caller personally" : "another team"));
        }
    }
}
