package dev.drover.server.runs;

import dev.drover.api.ArtifactItem;
import dev.drover.api.ArtifactType;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import dev.drover.server.store.Database;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Sql;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for runs: insert, read, list by keyset, and compare-and-set state changes. No business rules here. */
final class RunRepository {
    static final String COLUMNS = """
            r.id, r.owner_type, r.owner_id, r.creator_id, r.title, r.prompt, r.state, r.source,
            r.execution_location, r.config_json, r.skill_spec, r.skill_name, r.agent_skill_json, r.schedule_json,
            r.conversation_id, r.parent_run_id, r.session_id, r.interactive, r.metadata_json,
            r.status_message_json, r.request_usage_json, r.sandbox_running, r.cancel_requested, r.created_at,
            r.updated_at, r.started_at, r.created_seq, r.updated_seq, r.depth, r.pool, r.worker_id,
            r.lease_expires_at, r.attempts, r.has_artifacts, r.environment_id, r.turn, r.agent_identity_id,
            r.row_version""";
    private static final String CREATOR_JOIN = "JOIN principals p ON p.id = u.creator_id";
    private static final String CREATOR_COLUMNS = "p.kind AS creator_kind, p.display_name AS creator_name, p.email AS creator_email";
    /**
     * What {@link #row} reads, of runs {@code r} joined to their creators: a plain join, not the listing's derived
     * table (every read of a run prepares it, and SQLite plans the flat form in about half the time: bench/, ~50 us
     * instead of ~85 us of a ~150 us GET). Callers add columns of their own before {@link #RUNS_WITH_CREATOR}.
     */
    private static final String RUN_ROW = "SELECT " + COLUMNS + ", " + CREATOR_COLUMNS;
    private static final String RUNS_WITH_CREATOR = " FROM runs r JOIN principals p ON p.id = r.creator_id";

    private final Database db;

    RunRepository(Database db) {
        this.db = db;
    }

    /** Everything stored about a new run, in one place. */
    record NewRun(String id, String ownerType, String ownerId, String creatorId, String title, String prompt,
            RunSourceType source, RunExecutionLocation location, String configJson, String configName,
            String modelId, String environmentId, String skillSpec, String skillName, String agentSkillJson,
            String skillInstructions, String scheduleId, String scheduleJson, String conversationId, String parentRunId, int depth,
            String sessionId, boolean interactive, Map<String, String> metadata, String pool, long now, String mode) {}

    /**
     * The oldest QUEUED run of {@code pool} for REMOTE execution, its row locked for the claim (skipping a row another
     * transaction is claiming); with {@code teamConcurrency} above zero, only of a team below that many held runs.
     */
    Optional<RunRow> oldestQueued(Handle h, String pool, int teamConcurrency) {
        String capacity = teamConcurrency <= 0 ? "" : """
                AND (SELECT COUNT(*) FROM runs a WHERE a.owner_id = r.owner_id AND a.state IN <held>) < :limit""";
        return h.createQuery(RUN_ROW + RUNS_WITH_CREATOR
                        + " WHERE r.pool = :pool AND r.state = 'QUEUED' AND r.execution_location = 'REMOTE'" + capacity
                        + " ORDER BY r.created_at, r.id LIMIT 1" + db.dialect().skipLocked("r"))
                .define("held", RunTransitions.HELD_SQL).bind("pool", pool).bind("limit", teamConcurrency)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    /** Joins the runs {@code o} of run {@code r}'s conversation created before it (or with it, but not it). */
    private static final String EARLIER_IN_CONVERSATION =
            "o.conversation_id = r.conversation_id AND o.id <> r.id AND o.created_at <= r.created_at";

    /**
     * What a claim hands over from the run's row: the row as the claim's compare-and-set left it, the columns the
     * run's item does not carry (its skill's instructions, null without a skill; its mode, null for normal), and
     * whether its conversation has earlier runs (their transcripts are its history) and it has attachments: most
     * runs start their conversation and attach nothing, and then neither list is read.
     */
    record Claimed(RunRow row, String skillInstructions, String mode, boolean continuesConversation,
            boolean hasAttachments) {}

    /** {@link Claimed}, one statement, in the claim's transaction. */
    Claimed claimed(Handle h, String id) {
        return h.createQuery(RUN_ROW + ", r.skill_instructions, r.mode, EXISTS (SELECT 1 FROM runs o WHERE "
                        + EARLIER_IN_CONVERSATION + ") AS has_earlier"
                        + ", EXISTS (SELECT 1 FROM run_attachments a WHERE a.run_id = r.id) AS has_attachments"
                        + RUNS_WITH_CREATOR + " WHERE r.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Claimed(row(rs), rs.getString("skill_instructions"), rs.getString("mode"),
                        rs.getBoolean("has_earlier"), rs.getBoolean("has_attachments")))
                .one();
    }

    /** The runs of {@code runId}'s conversation created before it (or with it, but not it), oldest first. */
    List<String> earlierInConversation(Handle h, String runId) {
        return h.createQuery("SELECT o.id FROM runs r JOIN runs o ON " + EARLIER_IN_CONVERSATION
                        + " WHERE r.id = :r ORDER BY o.created_at, o.id")
                .bind("r", runId).mapTo(String.class).list();
    }

    /**
     * Plain JDBC with positional parameters: a create binds 28 values here, and binding them by name through Jdbi
     * (the record's components read by reflection into a map, then an argument factory found for each value) took
     * more of the server's CPU than the rest of the create: 0.99 → 0.41 ms per create at the median of five pairs
     * (docs/benchmarks.md, "The run's row bound in plain JDBC").
     */
    private static final String INSERT_RUN = """
            INSERT INTO runs (id, owner_type, owner_id, creator_id, title, prompt, state, source,
                execution_location, config_json, config_name, model_id, environment_id, skill_spec,
                skill_name, agent_skill_json, skill_instructions, schedule_id, schedule_json,
                conversation_id, parent_run_id, depth, session_id, interactive, metadata_json, pool,
                created_at, updated_at, created_seq, updated_seq, mode)
            VALUES (?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)""";

    void insert(Handle h, NewRun n) {
        db.prepared(h, INSERT_RUN, ps -> {
            int i = 0;
            ps.setString(++i, n.id());
            ps.setString(++i, n.ownerType());
            ps.setString(++i, n.ownerId());
            ps.setString(++i, n.creatorId());
            ps.setString(++i, n.title());
            ps.setString(++i, n.prompt());
            ps.setString(++i, n.source().name());
            ps.setString(++i, n.location().name());
            ps.setString(++i, n.configJson());
            ps.setString(++i, n.configName());
            ps.setString(++i, n.modelId());
            ps.setString(++i, n.environmentId());
            ps.setString(++i, n.skillSpec());
            ps.setString(++i, n.skillName());
            ps.setString(++i, n.agentSkillJson());
            ps.setString(++i, n.skillInstructions());
            ps.setString(++i, n.scheduleId());
            ps.setString(++i, n.scheduleJson());
            ps.setString(++i, n.conversationId());
            ps.setString(++i, n.parentRunId());
            ps.setInt(++i, n.depth());
            ps.setString(++i, n.sessionId());
            ps.setBoolean(++i, n.interactive());
            ps.setString(++i, n.metadata() == null || n.metadata().isEmpty() ? null : JsonColumns.write(n.metadata()));
            ps.setString(++i, n.pool());
            ps.setLong(++i, n.now());
            ps.setLong(++i, n.now());
            ps.setString(++i, n.mode());
            return ps.executeUpdate();
        });
        if (n.metadata() != null) {
            for (Map.Entry<String, String> e : n.metadata().entrySet()) {
                h.createUpdate("INSERT INTO run_metadata (run_id, key, value) VALUES (:r, :k, :v)")
                        .bind("r", n.id()).bind("k", e.getKey()).bind("v", e.getValue()).execute();
            }
        }
        if (n.parentRunId() != null) {
            h.createUpdate("""
                            INSERT INTO run_ancestors (run_id, ancestor_id, distance)
                            SELECT :id, ancestor_id, distance + 1 FROM run_ancestors WHERE run_id = :parent
                            UNION ALL SELECT :id, :parent, 1""")
                    .bind("id", n.id()).bind("parent", n.parentRunId()).execute();
        }
    }

    void insertAttachment(Handle h, String id, String runId, int position, RunRequests.Attachment a, String blobKey) {
        h.createUpdate("""
                        INSERT INTO run_attachments (id, run_id, position, file_name, mime_type, size_bytes, blob_key)
                        VALUES (:id, :run, :pos, :name, :mime, :size, :blob)""")
                .bind("id", id).bind("run", runId).bind("pos", position).bind("name", a.fileName())
                .bind("mime", a.mimeType()).bind("size", a.bytes().length).bind("blob", blobKey)
                .execute();
    }

    Optional<RunRow> find(Handle h, String id) {
        return h.createQuery(RUN_ROW + RUNS_WITH_CREATOR + " WHERE r.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    /** A run and the principal of the worker holding its lease (null when none): what a worker key may see. */
    record Leased(RunRow row, String workerPrincipalId) {}

    /** {@link #find}, with the lease holder's principal read in the same statement. */
    Optional<Leased> findLeased(Handle h, String id) {
        return h.createQuery(RUN_ROW + ", w.principal_id AS worker_principal_id" + RUNS_WITH_CREATOR
                        + " LEFT JOIN workers w ON w.id = r.worker_id WHERE r.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Leased(row(rs), rs.getString("worker_principal_id")))
                .findOne();
    }

    Optional<RunRow> find(String id) {
        return db.readOne(h -> find(h, id));
    }

    /** The first visible run of a conversation, for continuing it. */
    Optional<String> ownerOfConversation(Handle h, String conversationId) {
        return h.createQuery("SELECT owner_id FROM runs WHERE conversation_id = :c ORDER BY created_at LIMIT 1")
                .bind("c", conversationId).mapTo(String.class).findOne();
    }

    /**
     * Moves a run from {@code from} to {@code to} if it is still in {@code from}; false if another writer got
     * there first. The caller appends the event in the same transaction, of time {@code at}: the row takes its
     * {@code updated_at} now, so the append's stamp, made while it holds the event counter, changes no indexed
     * column and can be a HOT update (V27).
     */
    boolean compareAndSet(Handle h, String id, RunState from, RunState to, String statusMessageJson, Long startedAt,
            long at) {
        return h.createUpdate("""
                        UPDATE runs SET state = :to, updated_at = :at,
                            status_message_json = COALESCE(:status, status_message_json),
                            started_at = COALESCE(started_at, :started),
                            cancel_requested = CASE WHEN :terminal THEN FALSE ELSE cancel_requested END,
                            lease_expires_at = CASE WHEN :releases THEN NULL ELSE lease_expires_at END,
                            worker_id = CASE WHEN :requeue THEN NULL ELSE worker_id END
                        WHERE id = :id AND state = :from""")
                .bind("id", id).bind("from", from.name()).bind("to", to.name())
                .bind("status", statusMessageJson).bind("started", startedAt).bind("terminal", to.isTerminal())
                .bind("releases", to.isTerminal() || to == RunState.QUEUED).bind("requeue", to == RunState.QUEUED)
                .bind("at", at)
                .execute() == 1;
    }

    /**
     * The claim's compare-and-set: QUEUED → PENDING, or straight to CLAIMED (the worker accepted in the same call,
     * and keeps a workspace from here), leased to {@code workerId} until {@code until}, one more attempt. One
     * statement for what was a lease update and two state changes. It stamps {@code updated_at} with the events'
     * time itself: the claim's answer is built from the row before a grouped batch's end stamps it (with the same).
     */
    boolean claim(Handle h, String id, String workerId, long now, long until, boolean accept) {
        return h.createUpdate("""
                        UPDATE runs SET state = :to, worker_id = :w, lease_expires_at = :until, attempts = attempts + 1,
                            sandbox_running = CASE WHEN :accept THEN TRUE ELSE sandbox_running END, updated_at = :now
                        WHERE id = :id AND state = 'QUEUED'""")
                .bind("to", (accept ? RunState.CLAIMED : RunState.PENDING).name()).bind("w", workerId)
                .bind("until", until).bind("accept", accept).bind("id", id).bind("now", now)
                .execute() == 1;
    }

    boolean requestCancel(Handle h, String id, RunState expected) {
        return h.createUpdate("""
                        UPDATE runs SET cancel_requested = TRUE WHERE id = :id AND state = :state AND NOT cancel_requested""")
                .bind("id", id).bind("state", expected.name()).execute() == 1;
    }

    /**
     * Plain JDBC, as {@link #INSERT_RUN}: it runs on every create. Its LIMIT is written in per call, not bound
     * (StatementCache says why).
     */
    private static final String ACTIVE_UP_TO = "SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE owner_id = ? AND state IN "
            + RunTransitions.ACTIVE_SQL;

    /**
     * Whether {@code ownerId} has more than {@code limit} active runs. Runs on every create inside the write
     * transaction, so it must not grow with the owner's history: the (owner_id, state) index and the LIMIT bound
     * it to {@code limit + 1} index entries.
     */
    boolean hasMoreActiveThan(Handle h, String ownerId, int limit) {
        return db.prepared(h, ACTIVE_UP_TO + " LIMIT " + (limit + 1) + ") active", ps -> {
            ps.setString(1, ownerId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > limit;
            }
        });
    }

    Map<String, List<ArtifactItem>> artifacts(Handle h, List<String> runIds) {
        Map<String, List<ArtifactItem>> out = new HashMap<>();
        if (runIds.isEmpty()) {
            return out;
        }
        h.createQuery("""
                        SELECT run_id, artifact_type, data_json, created_at FROM artifacts
                        WHERE run_id IN (<ids>) ORDER BY created_at, id""")
                .bindList("ids", runIds)
                .map((rs, ctx) -> Map.entry(rs.getString(1), new ArtifactItem(ArtifactType.valueOf(rs.getString(2)),
                        Times.instant(rs.getLong(4)), readMap(rs.getString(3)))))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    long head(Handle h) {
        return h.createQuery("SELECT value FROM event_counter WHERE id = 1").mapTo(Long.class).one();
    }

    /** A listed run with its position: the sort key it had at the listing's snapshot. */
    record Positioned(RunRow row, List<Object> key) {}

    /**
     * One page of a listing. Rows are read per owner (each an index range scan that stops after {@code limit}
     * rows) and merged. On later pages of an {@code updated_at} listing, runs updated since the snapshot are
     * placed where they stood at the snapshot (their latest event at or before it), so paging never repeats
     * or skips a run because it changed meanwhile.
     */
    List<Positioned> page(Handle h, List<String> ownerIds, RunFilter filter, RunSort sort, boolean descending,
            ListCursor cursor, long snapshot, int limit) {
        List<RunState> splitStates = RunListSql.splitStates(filter) ? filter.states() : List.of();
        boolean sqlite = db.dialect().plansWithoutStatistics();
        // read after the listing's snapshot (RunQueries), so the candidates hold every run the page may show
        Sql shortQ = ShortTextSearch.candidates(h, db.dialect(), filter.q());
        boolean few = (sqlite && shortQ != null) || fewMatches(h, filter);
        boolean textScanned = commonText(h, filter.q());
        // a created-date window and another sort: SQLite sorts the window's runs unless told to walk ("+"), and
        // PostgreSQL walks the sort's index unless its key is an expression no index has (CreatedWindow); so are
        // a short q's few candidates read and sorted
        int window = sort == RunSort.CREATED_AT ? -1 : CreatedWindow.runs(h, ownerIds, filter);
        boolean walkWindow = sqlite && window >= CreatedWindow.SORTED;
        boolean sortWindow = !sqlite && ((window >= 0 && window < CreatedWindow.SORTED) || shortQ != null);
        boolean metadataHashed = !sqlite && manyMetadataMatches(h, filter);
        Sql where = RunListSql.filters(db.dialect(), filter, !splitStates.isEmpty(), walkWindow, textScanned,
                metadataHashed);
        if (shortQ != null) { // a rare short q's candidates (ShortTextSearch); the LIKE stays as the exact test
            Map<String, Object> params = new HashMap<>(where.params());
            params.putAll(shortQ.params());
            where = new Sql(where.text() + " AND " + shortQ.text(), params);
        }
        RunListSql.Access access = few ? RunListSql.Access.FEW_MATCHES
                : sortWindow ? RunListSql.Access.SORTED
                : metadataHashed && filter.onlyMetadata() && sort != RunSort.AGENT // runs_by_agent is of expressions
                        && (cursor == null || fewEventsSince(h, snapshot)) ? RunListSql.Access.IDS_FROM_INDEX
                : RunListSql.Access.WALK;
        List<Positioned> rows = new ArrayList<>(select(h, ownerIds, splitStates, where, sort, descending, cursor, snapshot,
                limit, false, access));
        if (cursor != null && sort == RunSort.UPDATED_AT) {
            // the runs changed since the snapshot: read from the events above it, each tested on its row
            rows.addAll(select(h, ownerIds, splitStates, where, sort, descending, cursor, snapshot, limit, true,
                    access == RunListSql.Access.IDS_FROM_INDEX ? RunListSql.Access.WALK : access));
        }
        rows.sort(RunListSql.comparator(sort, descending));
        return rows.size() > limit ? rows.subList(0, limit) : rows;
    }

    /** Matches up to which SQLite reads a {@code q} or {@code metadata} listing from the matches (sorting them). */
    static final int FEW_MATCHES = 1000;

    /**
     * SQLite keeps no statistics, so its planner always walks the sort's index and tests each run against the
     * filter: fine when the filter matches many runs, a walk over the whole history when it matches one. This
     * counts the matches of {@code q} and {@code metadata} (of every owner: a plan choice, never shown) up to
     * {@link #FEW_MATCHES}; below that the runs are looked up by id instead. PostgreSQL's planner makes this choice
     * itself from its statistics.
     */
    private boolean fewMatches(Handle h, RunFilter filter) {
        if (!db.dialect().plansWithoutStatistics()) {
            return false;
        }
        for (Sql set : RunListSql.matchSets(db.dialect(), filter)) {
            if (countUpTo(h, set, FEW_MATCHES) < FEW_MATCHES) {
                return true;
            }
        }
        return false;
    }

    /**
     * PostgreSQL: whether every {@code metadata} pair of the filter matches so many runs that the listing should walk
     * the sort's index and test each run against a hashed set of the matches (RunListSql.filters), rather than leave
     * it to the planner, which walks too but looks each run up in run_metadata's index: 39 ms for a page of a pair
     * matching 2,000 of a million runs, against 8 ms hashed (docs/benchmarks.md). The walk reads about
     * {@code page × runs / matches} rows; looking the matches up by id and sorting them reads {@code matches} rows,
     * at about ten times the cost per row (8 against 0.8 µs, measured); so the walk wins from about
     * {@code √(page × runs / 10)} matches, √(2 × runs) for a page of 20, and is used from there (never below
     * {@link #FEW_MATCHES}). Counted per pair up to that many, from the index alone, with the number of runs from
     * the planner's statistics, in one query (each round trip costs a listing that ends up reading one run as much as
     * its page); with a pair below it, the planner drives the listing from that pair's few matches as before.
     */
    private boolean manyMetadataMatches(Handle h, RunFilter filter) {
        List<Sql> pairs = RunListSql.metadataSets(filter);
        if (pairs.isEmpty()) {
            return false;
        }
        StringBuilder sql = new StringBuilder("WITH t AS (SELECT GREATEST(" + FEW_MATCHES + ", ceil(sqrt(2 * "
                + "GREATEST(reltuples, 0))))::int AS many FROM pg_class WHERE oid = 'runs'::regclass) SELECT TRUE");
        for (Sql pair : pairs) {
            sql.append(" AND (SELECT COUNT(*) FROM (").append(pair.text())
                    .append(" LIMIT (SELECT many FROM t)) s) >= (SELECT many FROM t)");
        }
        var many = h.createQuery(sql.toString());
        pairs.forEach(pair -> pair.params().forEach(many::bind));
        return many.mapTo(Boolean.class).one();
    }

    /** Events above a listing's snapshot up to which its later pages may test "not changed since" as a hashed set. */
    static final int SNAPSHOT_EVENTS = 2000;

    /**
     * Whether fewer than {@link #SNAPSHOT_EVENTS} events were appended since the snapshot: then the walk of
     * {@link RunListSql.Access#IDS_FROM_INDEX} tests the runs they touched as a hashed set, built once per page. A
     * cursor followed much later (a million events on) would have the walk build that set from every one of them,
     * or PostgreSQL run the set's query again for each index entry; such pages walk as before. The set is hashed
     * only in a plan made for the snapshot's value: a generic plan, which must assume a third of the log, tests it
     * per entry. PostgreSQL's plan cache keeps to custom plans here (the generic one is costed thousands of times
     * higher; checked with EXPLAIN after a dozen executions of the prepared statement); a server configured with
     * plan_cache_mode = force_generic_plan would make such pages slow, not wrong.
     */
    private static boolean fewEventsSince(Handle h, long snapshot) {
        return h.createQuery("SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE sequence > :snap LIMIT "
                        + SNAPSHOT_EVENTS + ") e")
                .bind("snap", snapshot).mapTo(Integer.class).one() < SNAPSHOT_EVENTS;
    }

    /**
     * A {@code q} of three or more ASCII characters that matches at least {@link #FEW_MATCHES} runs: the listing's
     * walk tests it row by row ({@code Dialect.runTextScan}), finding a page of such common matches within a few
     * hundred rows, instead of reading every match from the trigram index and sorting them — SQLite's FTS5
     * evaluates the whole match set first (2.5 s for a phrase that matches 8 % of a million runs), and
     * PostgreSQL, which has no statistics of the indexed text, guesses 100 matches and sorts all 18,000 of
     * {@code q=inventory} (0.5 s). On PostgreSQL only when its planner expects few matches (it walks by itself
     * when it expects many, and the count would then be a sequential scan). ASCII only: there LIKE's case folding and FTS5's agree (but for U+212A and
     * U+017F, which FTS5 folds onto k and s), and the field separator cannot occur in q, so the plan never changes
     * which runs match.
     */
    private boolean commonText(Handle h, String q) {
        if (q == null || !q.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return false;
        }
        Sql set = db.dialect().runTextSearchIds(q);
        if (set == null) {
            return false; // shorter than a trigram: LIKE already
        }
        if (!db.dialect().plansWithoutStatistics() && estimatedRows(h, set) >= FEW_MATCHES) {
            return false; // PostgreSQL expects many matches and walks by itself; counting them would cost more
        }
        return countUpTo(h, set, FEW_MATCHES) >= FEW_MATCHES;
    }

    /** The rows of {@code set}, counted up to {@code cap}: a plan choice costs at most {@code cap} rows read. */
    static int countUpTo(Handle h, Sql set, int cap) {
        var count = h.createQuery("SELECT COUNT(*) FROM (" + set.text() + " LIMIT " + cap + ") s");
        set.params().forEach(count::bind);
        return count.mapTo(Integer.class).one();
    }

    private static final java.util.regex.Pattern PLAN_ROWS = java.util.regex.Pattern.compile("\"Plan Rows\": (\\d+)");

    /** PostgreSQL's estimate of a query's rows (its plan's top node), from EXPLAIN: planning only, no execution. */
    static long estimatedRows(Handle h, Sql query) {
        var explain = h.createQuery("EXPLAIN (FORMAT JSON) " + query.text());
        query.params().forEach(explain::bind);
        java.util.regex.Matcher m = PLAN_ROWS.matcher(explain.mapTo(String.class).one());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private List<Positioned> select(Handle h, List<String> ownerIds, List<RunState> splitStates, Sql where, RunSort sort,
            boolean descending, ListCursor cursor, long snapshot, int limit, boolean changedSinceSnapshot,
            RunListSql.Access access) {
        Sql sql = RunListSql.page(db.dialect(), ownerIds, splitStates, where, sort, descending, cursor, snapshot, limit,
                changedSinceSnapshot, access);
        var query = h.createQuery("SELECT u.*, " + CREATOR_COLUMNS + " FROM (" + sql.text() + ") u " + CREATOR_JOIN
                + " ORDER BY " + RunListSql.outerOrder(sort, descending) + " LIMIT " + limit);
        sql.params().forEach(query::bind);
        return query.map((rs, ctx) -> {
            List<Object> key = new ArrayList<>();
            for (int i = 0; i < sort.keys.size(); i++) {
                key.add(sort.keys.get(i).type() == RunSort.Key.Type.LONG ? rs.getLong("k" + i) : rs.getString("k" + i));
            }
            return new Positioned(row(rs), key);
        }).list();
    }

    static RunRow row(ResultSet rs) throws SQLException {
        return new RunRow(rs.getString("id"), rs.getString("owner_type"), rs.getString("owner_id"),
                rs.getString("creator_id"), rs.getString("creator_kind"), rs.getString("creator_name"),
                rs.getString("creator_email"), rs.getString("title"), rs.getString("prompt"),
                RunState.valueOf(rs.getString("state")), RunSourceType.valueOf(rs.getString("source")),
                RunExecutionLocation.valueOf(rs.getString("execution_location")), rs.getString("config_json"),
                rs.getString("skill_spec"), rs.getString("skill_name"), rs.getString("agent_skill_json"),
                rs.getString("schedule_json"), rs.getString("conversation_id"), rs.getString("parent_run_id"),
                rs.getString("session_id"), rs.getBoolean("interactive"), rs.getString("metadata_json"),
                rs.getString("status_message_json"), rs.getString("request_usage_json"),
                rs.getBoolean("sandbox_running"), rs.getBoolean("cancel_requested"), rs.getLong("created_at"),
                rs.getLong("updated_at"), Rows.nullableLong(rs, "started_at"), rs.getLong("created_seq"),
                rs.getLong("updated_seq"), rs.getInt("depth"), rs.getString("pool"), rs.getString("worker_id"),
                Rows.nullableLong(rs, "lease_expires_at"), rs.getInt("attempts"), rs.getBoolean("has_artifacts"),
                rs.getString("environment_id"), rs.getInt("turn"), rs.getString("agent_identity_id"),
                rs.getLong("row_version"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readMap(String json) {
        return JsonColumns.read(json, LinkedHashMap.class);
    }
}
