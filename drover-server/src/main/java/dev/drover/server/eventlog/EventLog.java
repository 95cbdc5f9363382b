package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import dev.drover.server.store.CommitHooks;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The append-only event log. Appends happen inside the caller's transaction (so a state change and its event
 * commit together) and take the next sequence from the single counter row: its row lock is held until commit,
 * so sequences become visible in order and a reader polling {@code since=N} can never miss a smaller one that
 * commits later. Keep the append the last statement of a transaction: the lock serialises all writers. On
 * PostgreSQL the bump, the event and the run's stamp are one statement, so the lock is held for one round trip and
 * the commit (docs/events.md, "Keeping the counter short"); other nodes hear of the commit from
 * {@link CommitAnnouncer}, after it.
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
        if (db.isPostgres()) {
            db.deferToBatchEnd(EventLog::appendDeferred); // the same for every log of the database
        }
    }

    /** What the appending transaction already has of the event's run's row. */
    public enum RunRowHeld {
        /**
         * The transaction created the run: nobody else sees its row before the commit. The event is its
         * {@code run_queued}, which also stamps the run's {@code created_seq} (the runs list's snapshot is taken in
         * sequences).
         */
        CREATED,
        /** The transaction has locked the row already: a state change's compare-and-set wrote it. */
        LOCKED,
        /** Neither: the append locks it, before the counter. */
        NO
    }

    /** An event left to the end of a group-commit batch ({@link #appendAtCommit}), and the bus to tell of it. */
    private record Deferred(EventBus bus, Appended event, long micros, boolean creation) {}

    /**
     * An append whose sequence nobody in the transaction reads, made the last thing its transaction does. In a unit of
     * {@link Database#writeGrouped} on PostgreSQL (creating runs, claiming them, a worker's reports) it is left to the
     * end of the batch, where the events of all its units are appended by one statement: the batch takes the counter
     * for that statement and its commit only, never while its units run (and lock their rows). Everywhere else it is
     * {@link #append}. The run's row is locked now either way, before the counter (see {@link #lockRun}), unless the
     * transaction has it already ({@code held}). The sequence is read from the answer once the write has returned
     * ({@link Appended#event}).
     */
    public Appended appendAtCommit(Handle h, String runId, String type, String refId, String executionId, Instant at,
            RunRowHeld held) {
        if (!CommitHooks.defersOn(h)) {
            return Appended.of(append(h, runId, type, refId, executionId, at, held));
        }
        if (held == RunRowHeld.NO) {
            lockRun(h, runId);
        }
        long micros = Times.micros(at);
        Appended event = new Appended(type, runId, refId, executionId, Times.instant(micros));
        CommitHooks.defer(h, new Deferred(bus, event, micros, held == RunRowHeld.CREATED));
        return event;
    }

    public RunEvent append(Handle h, String runId, String type, String refId, String executionId, Instant at) {
        return append(h, runId, type, refId, executionId, at, RunRowHeld.NO);
    }

    private RunEvent append(Handle h, String runId, String type, String refId, String executionId, Instant at,
            RunRowHeld held) {
        if (CommitHooks.defersOn(h)) {
            // the counter taken in the middle of a batch would be held while its next units lock their rows
            throw new IllegalStateException("a grouped unit of work appends with appendAtCommit");
        }
        if (held == RunRowHeld.NO) {
            lockRun(h, runId);
        }
        long micros = Times.micros(at);
        boolean creation = held == RunRowHeld.CREATED;
        long seq = db.isPostgres() ? appendInOneStatement(h, runId, type, refId, executionId, micros, creation)
                : appendInSteps(h, runId, type, refId, executionId, micros, creation);
        RunEvent event = new RunEvent(type, runId, refId, executionId, Times.instant(micros), seq);
        // after the commit the event is known to exist: the node's tail takes it from here without reading the log
        // (and not at all when this part of a group commit is rolled back to its savepoint)
        CommitHooks.afterCommit(h, () -> bus.committed(event));
        return event;
    }

    /**
     * The run's row before the counter, the order of every transition (its compare-and-set writes the row first).
     * Taking the counter first and then waiting for a row that a transition holds while it waits for the counter
     * would deadlock: a transcript append against a cancel, a child's start against its parent's next state. Not
     * needed when the transaction holds the row already (a round trip saved), a no-op on SQLite (one writer, no row
     * locks).
     */
    private void lockRun(Handle h, String runId) {
        String lock = db.dialect().lockRows();
        if (!lock.isEmpty()) {
            h.createQuery("SELECT id FROM runs WHERE id = :run" + lock).bind("run", runId).mapTo(String.class).findOne();
        }
    }

    /**
     * PostgreSQL, at the end of a group-commit batch: the events its units deferred, in the order they were deferred,
     * numbered by one bump of the counter, inserted and their runs stamped (each with its last event; a creation's
     * {@code created_seq} with its {@code run_queued}), in one statement. Every run's row is already locked by its
     * unit ({@link #appendAtCommit}), so the statement waits for nothing but the counter.
     */
    private static final String APPEND_DEFERRED = """
            WITH c AS (UPDATE event_counter SET value = value + ? WHERE id = 1 RETURNING value),
            numbered AS (SELECT c.value - ? + t.i AS seq, t.run_id, t.event_type, t.ref_id,
                                t.execution_id, t.occurred_at, t.creation
                  FROM c, unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::bool[]) WITH ORDINALITY
                          AS t(run_id, event_type, ref_id, execution_id, occurred_at, creation, i)),
            e AS (INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                  SELECT seq, run_id, event_type, ref_id, execution_id, occurred_at FROM numbered),
            l AS (SELECT DISTINCT ON (run_id) run_id, seq, occurred_at,
                         (SELECT max(k.seq) FROM numbered k WHERE k.run_id = numbered.run_id
                                 AND k.creation) AS created
                  FROM numbered ORDER BY run_id, seq DESC),
            r AS (UPDATE runs SET updated_at = l.occurred_at, updated_seq = l.seq,
                         created_seq = COALESCE(l.created, runs.created_seq)
                  FROM l WHERE runs.id = l.run_id)
            SELECT value FROM c""";

    /** {@link #APPEND_DEFERRED} for a batch's deferred events; each learns its sequence once the batch commits. */
    private static void appendDeferred(Handle h, List<Object> rows) {
        List<Deferred> events = rows.stream().map(Deferred.class::cast).toList();
        int n = events.size();
        String[] runs = new String[n];
        String[] types = new String[n];
        String[] refs = new String[n];
        String[] execs = new String[n];
        Long[] ats = new Long[n];
        Boolean[] creations = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Deferred d = events.get(i);
            runs[i] = d.event().runId();
            types[i] = d.event().type();
            refs[i] = d.event().refId();
            execs[i] = d.event().executionId();
            ats[i] = d.micros();
            creations[i] = d.creation();
        }
        // Plain JDBC, not Jdbi: binding the six arrays through Jdbi (generic type resolution, an argument per
        // element) was 4 % of the server's samples in a claims drain. Planning the statement took PostgreSQL
        // longer than running it (0.45 against 0.6 ms for two runs; runs has two dozen indexes to consider): its
        // plan is the same for any number of events (each run looked up by its key), but a custom plan for a known
        // array length always looks cheaper than the cached generic one, so the plan cache never switched. For the
        // rest of the batch's transaction, whose last statement this is, the cached plan is used
        // (pg_stat_statements over a claims drain: 1.24 ms of planning per claimed and completed run before). It is
        // made per connection from the statistics of the moment, and made again when they change: while runs holds a
        // few hundred rows it may scan the table, which then costs least, and autovacuum analyzes runs again at
        // every tenth of change (every transition updates it); Hikari also replaces each connection every 30 min.
        long last;
        try {
            Connection c = h.getConnection();
            try (Statement generic = c.createStatement()) {
                generic.execute("SET LOCAL plan_cache_mode = force_generic_plan");
            }
            try (PreparedStatement append = c.prepareStatement(APPEND_DEFERRED)) {
                append.setInt(1, n);
                append.setInt(2, n);
                append.setArray(3, c.createArrayOf("text", runs));
                append.setArray(4, c.createArrayOf("text", types));
                append.setArray(5, c.createArrayOf("text", refs));
                append.setArray(6, c.createArrayOf("text", execs));
                append.setArray(7, c.createArrayOf("int8", ats));
                append.setArray(8, c.createArrayOf("bool", creations));
                try (ResultSet rs = append.executeQuery()) {
                    rs.next();
                    last = rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
        for (int i = 0; i < n; i++) {
            Deferred d = events.get(i);
            d.event().numbered(last - n + 1 + i); // its caller reads it once the batch has committed
            RunEvent event = d.event().event();
            h.afterCommit(() -> d.bus().committed(event));
        }
    }

    /**
     * PostgreSQL: the counter is bumped, the event inserted and the run stamped by one statement, so the counter's
     * row lock is held for one round trip and the commit, not five round trips and the commit. Every part of the
     * statement runs or none does (a missing run fails the event's foreign key and with it the bump). The counter's
     * UPDATE waits for the lock and re-reads the row's newest version (READ COMMITTED), exactly as the statement on
     * its own did; the run's row is already ours (locked above), so the statement's snapshot, taken before that
     * wait, still sees its latest version.
     */
    private static long appendInOneStatement(Handle h, String runId, String type, String refId, String executionId,
            long micros, boolean creation) {
        return h.createQuery("""
                        WITH c AS (UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value),
                        e AS (INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                              SELECT value, :run, :type, :ref, :exec, :at FROM c),
                        r AS (UPDATE runs SET updated_at = :at, updated_seq = c.value"""
                        + (creation ? ", created_seq = c.value" : "") + """
                         FROM c WHERE runs.id = :run)
                        SELECT value FROM c""")
                .bind("run", runId).bind("type", type).bind("ref", refId).bind("exec", executionId).bind("at", micros)
                .map((rs, ctx) -> rs.getLong(1))
                .one();
    }

    /** SQLite: one process, one writer connection; statements are in-process calls, not round trips. */
    private long appendInSteps(Handle h, String runId, String type, String refId, String executionId, long micros,
            boolean creation) {
        long seq = h.createQuery("UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value")
                .mapTo(Long.class)
                .one();
        h.createUpdate("""
                        INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                        VALUES (:seq, :run, :type, :ref, :exec, :at)""")
                .bind("seq", seq).bind("run", runId).bind("type", type).bind("ref", refId)
                .bind("exec", executionId).bind("at", micros)
                .execute();
        h.createUpdate("UPDATE runs SET updated_at = :at, updated_seq = :seq"
                        + (creation ? ", created_seq = :seq" : "") + " WHERE id = :run")
                .bind("at", micros).bind("seq", seq).bind("run", runId)
                .execute();
        return seq;
    }

    /** Events of {@code runIds} with a sequence above {@code since}, oldest first. */
    public List<RunEvent> since(List<String> runIds, long since, int limit) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events
                        WHERE run_id IN (<runs>) AND sequence > :since ORDER BY sequence LIMIT <limit>""")
                .bindList("runs", runIds)
                .bind("since", since)
                .define("limit", limit)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .list());
    }

    /** Every run's events with a sequence above {@code after}, oldest first: what the node's tail reads. */
    public List<RunEvent> after(long after, int limit) {
        return db.readOne(h -> h.createQuery("""
                        SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events
                        WHERE sequence > :after ORDER BY sequence LIMIT <limit>""")
                .bind("after", after)
                .define("limit", limit)
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
                        ORDER BY sequence LIMIT <limit>""")
                .bindList("runs", runIds)
                .bind("since", since)
                .bind("upTo", upTo)
                .define("limit", limit)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .list());
    }

    /**
     * Inside a transaction: the latest event of {@code type} for the run, written for {@code executionId} (any
     * execution when null). How a retried report finds the answer its first attempt got — also when that attempt is
     * an earlier unit of the same group-commit batch, whose event is not in the table until the batch's end.
     */
    public java.util.Optional<Appended> latest(Handle h, String runId, String type, String executionId) {
        List<Object> pending = CommitHooks.deferredSoFar(h);
        for (int i = pending.size() - 1; i >= 0; i--) {
            Appended e = ((Deferred) pending.get(i)).event();
            if (e.runId().equals(runId) && e.type().equals(type)
                    && (executionId == null || executionId.equals(e.executionId()))) {
                return java.util.Optional.of(e);
            }
        }
        return h.createQuery("SELECT sequence, run_id, event_type, ref_id, execution_id, occurred_at FROM events"
                        + " WHERE run_id = :run AND event_type = :type"
                        + (executionId == null ? "" : " AND execution_id = :exec")
                        + " ORDER BY sequence DESC LIMIT 1")
                .bind("run", runId).bind("type", type).bind("exec", executionId)
                .map((rs, ctx) -> Appended.of(new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4),
                        rs.getString(5), Times.instant(rs.getLong(6)), rs.getLong(1))))
                .findOne();
    }

    /** The newest sequence committed so far. */
    public long head() {
        return db.readOne(h -> h.createQuery("SELECT value FROM event_counter WHERE id = 1").mapTo(Long.class).one());
    }
}
