package dev.drover.server.runs;

import dev.drover.api.RunState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * What other features read and write of the {@code runs} table, inside their own transactions ({@code h}): the runs
 * feature owns the table, and these are the only doors into it from outside the package (with the reads
 * docs/architecture.md lists). None of them checks visibility: the callers have done so (or act for a worker
 * holding the run, or for a signed URL).
 */
public final class RunLinks {
    private RunLinks() {}

    /** An artifact was recorded for the run: listings then read its artifacts (a flag, so pages of runs need not). */
    public static void artifactRecorded(Handle h, String runId) {
        h.createUpdate("UPDATE runs SET has_artifacts = TRUE WHERE id = :r").bind("r", runId).execute();
    }

    /** The conversation a run belongs to; empty for an unknown run. */
    public static Optional<String> conversationOf(Handle h, String runId) {
        return h.createQuery("SELECT conversation_id FROM runs WHERE id = :r").bind("r", runId)
                .mapTo(String.class).findOne();
    }

    /** The run's prompt (the user's turn of its transcript). */
    public static String prompt(Handle h, String runId) {
        return h.createQuery("SELECT prompt FROM runs WHERE id = :r").bind("r", runId).mapTo(String.class).one();
    }

    /** Every run of a conversation, oldest first. */
    public static List<String> ofConversation(Handle h, String conversationId) {
        return h.createQuery("SELECT id FROM runs WHERE conversation_id = :c ORDER BY created_at, id")
                .bind("c", conversationId).mapTo(String.class).list();
    }

    /**
     * The states of the runs, their rows locked ({@code lockRows}: the dialect's row lock) in id order — the same
     * order for every caller, so two transactions locking overlapping sets cannot deadlock.
     */
    public static Map<String, RunState> lockedStates(Handle h, List<String> runIds, String lockRows) {
        Map<String, RunState> states = new HashMap<>();
        h.createQuery("SELECT id, state FROM runs WHERE id IN (<ids>) ORDER BY id" + lockRows)
                .bindList("ids", runIds)
                .map((rs, ctx) -> Map.entry(rs.getString(1), RunState.valueOf(rs.getString(2))))
                .forEach(e -> states.put(e.getKey(), e.getValue()));
        return states;
    }

    /** The creation time (micros) of the newest run of each skill spec among the owners' runs. */
    public static Map<String, Long> lastRunOfEachSkill(Handle h, List<String> ownerIds) {
        Map<String, Long> out = new HashMap<>();
        h.createQuery("""
                        SELECT skill_spec, MAX(created_at) FROM runs
                        WHERE owner_id IN (<owners>) AND skill_spec IS NOT NULL GROUP BY skill_spec""")
                .bindList("owners", ownerIds)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
