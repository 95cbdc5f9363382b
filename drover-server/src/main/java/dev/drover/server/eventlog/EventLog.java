package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The append-only event log. Appends happen inside the caller's transaction (so a state change and its event
 * commit together) and take the next sequence from the single counter row: its row lock is held until commit,
 * so sequences become visible in order and a reader polling {@code since=N} can never miss a smaller one that
 * commits later. Keep the append the last statement of a transaction: the lock serialises all writers.
 *
 * <p>Every event also stamps its run's {@code updated_at}/{@code updated_seq}: a run's last update is its
 * latest event, which is what lets the runs list page over a consistent snapshot.
 */
public final class EventLog {
    private final Database db;
    private final EventBus bus;

    public EventLog(Database db, EventBus bus) {
        this.db = db;
        this.bus = bus;
    }

    public RunEvent append(Handle h, String runId, String type, String refId, String executionId, Instant at) {
        String lock = db.dialect().lockRows();
        if (!lock.isEmpty()) {
            // The run's row before the counter, the order of every transition (its compare-and-set writes the row
            // first). Taking the counter first and then waiting for a row that a transition holds while it waits
            // for the counter would deadlock: a transcript append against a cancel, a child's start against its
            // parent's next state. A no-op when the transaction already holds the row.
            h.createQuery("SELECT id FROM runs WHERE id = :run" + lock).bind("run", runId).mapTo(String.class).findOne();
        }
        long seq = h.createQuery("UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value")
                .mapTo(Long.class)
                .one();
        long micros = Times.micros(at);
        h.createUpdate("""
                        INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                        VALUES (:seq, :run, :type, :ref, :exec, :at)""")
                .bind("seq", seq).bind("run", runId).bind("type", type).bind("ref", refId)
                .bind("exec", executionId).bind("at", micros)
                .execute();
        h.createUpdate("UPDATE runs SET updated_at = :at, updated_seq = :seq WHERE id = :run")
                .bind("at", micros).bind("seq", seq).bind("run", runId)
                .execute();
        db.dialect().announceEvent(h, seq);
        h.afterCommit(() -> bus.published(seq));
        return new RunEvent(type, runId, refId, executionId, Times.instant(micros), seq);
    }

    /** Events of {@code runIds} with a sequence above {@code since}, oldest first. */
    public List<RunEvent> since(List<String> runIds, long since, int limit) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events
                        WHERE run_id IN (<runs>) AND sequence > :since ORDER BY sequence LIMIT :limit""")
                .bindList("runs", runIds)
                .bind("since", since)
                .bind("limit", limit)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .list());
    }

    /** Every run's events with a sequence above {@code after}, oldest first: what the node's tail reads. */
    public List<RunEvent> after(long after, int limit) {
        return db.readOne(h -> h.createQuery("""
                        SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events
                        WHERE sequence > :after ORDER BY sequence LIMIT :limit""")
                .bind("after", after)
                .bind("limit", limit)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .list());
    }

    /** Events of {@code runIds} with {@code since < sequence <= upTo}, oldest first: a watcher's backlog. */
    public List<RunEvent> between(List<String> runIds, long since, long upTo, int limit) {
        if (runIds.isEmpty() || upTo <= since) {
            return List.of();
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events
                        WHERE run_id IN (<runs>) AND sequence > :since AND sequence <= :upTo
                        ORDER BY sequence LIMIT :limit""")
                .bindList("runs", runIds)
                .bind("since", since)
                .bind("upTo", upTo)
                .bind("limit", limit)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .list());
    }

    /**
     * Inside a transaction: the latest event of {@code type} for the run, written for {@code executionId} (any
     * execution when null). How a retried report finds the answer its first attempt got.
     */
    public java.util.Optional<RunEvent> latest(Handle h, String runId, String type, String executionId) {
        return h.createQuery("SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events"
                        + " WHERE run_id = :run AND event_type = :type"
                        + (executionId == null ? "" : " AND execution_id = :exec")
                        + " ORDER BY sequence DESC LIMIT 1")
                .bind("run", runId).bind("type", type).bind("exec", executionId)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .findOne();
    }

    /** The newest sequence committed so far. */
    public long head() {
        return db.readOne(h -> h.createQuery("SELECT value FROM event_counter WHERE id = 1").mapTo(Long.class).one());
    }
}
