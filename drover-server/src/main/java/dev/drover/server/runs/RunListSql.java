package dev.drover.server.runs;

import dev.drover.api.RunState;
import dev.drover.server.store.Dialect;
import dev.drover.server.store.Sql;
import dev.drover.server.store.Times;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Builds the SQL of the runs list: filters, the per-owner keyset pages, and the matching Java order. */
final class RunListSql {
    private RunListSql() {}

    /** The filters as one condition over alias {@code r}; {@code 1 = 1} when there are none. */
    static Sql filters(Dialect dialect, RunFilter f) {
        return filters(dialect, f, false, false);
    }

    /**
     * The filters but, with {@code withoutStates}, the state filter: {@link #page} then reads one range per state
     * instead (see {@link #splitStates}). {@code createdUnindexed} writes the created-date bounds as
     * {@code +r.created_at}, which keeps SQLite from reading them from runs_by_created (see
     * RunRepository.manyCreated).
     */
    static Sql filters(Dialect dialect, RunFilter f, boolean withoutStates, boolean createdUnindexed) {
        return filters(dialect, f, withoutStates, createdUnindexed, false, false);
    }

    /**
     * With {@code textScanned}, {@code q} is tested row by row ({@link Dialect#runTextScan}) rather than from the
     * text index: for a common {@code q} on SQLite, whose walk finds a page at once (RunRepository.page). With
     * {@code metadataHashed}, each {@code metadata} pair is a test of a hashed set of its matches (PostgreSQL, pairs
     * with many matches: RunRepository.manyMetadataMatches).
     */
    static Sql filters(Dialect dialect, RunFilter f, boolean withoutStates, boolean createdUnindexed,
            boolean textScanned, boolean metadataHashed) {
        Sql.Builder b = new Sql.Builder("f");
        List<String> and = new ArrayList<>();
        if (!f.states().isEmpty() && !withoutStates) {
            List<String> ps = new ArrayList<>();
            for (RunState s : f.states()) {
                ps.add(b.param(s.name()));
            }
            and.add("r.state IN (" + String.join(", ", ps) + ")");
        }
        eq(b, and, "r.config_name", f.name());
        eq(b, and, "r.model_id", f.modelId());
        eq(b, and, "r.creator_id", f.creator());
        if (!f.sources().isEmpty()) {
            and.add("r.source IN (" + String.join(", ", f.sources().stream().map(s -> b.param(s.name())).toList()) + ")");
        }
        eq(b, and, "r.creator_id", f.executor()); // a Drover run is executed by its creator
        eq(b, and, "r.execution_location", f.executionLocation() == null ? null : f.executionLocation().name());
        eq(b, and, "r.skill_spec", f.skillSpec());
        eq(b, and, "r.schedule_id", f.scheduleId());
        String created = createdUnindexed ? "+r.created_at" : "r.created_at";
        if (f.createdAfter() != null) {
            and.add(created + " > " + b.param(Times.micros(f.createdAfter())));
        }
        if (f.createdBefore() != null) {
            and.add(created + " < " + b.param(Times.micros(f.createdBefore())));
        }
        if (f.updatedAfter() != null) {
            and.add("r.updated_at > " + b.param(Times.micros(f.updatedAfter())));
        }
        if (RunFilter.EMPTY_ENVIRONMENT.equals(f.environmentId())) {
            and.add("r.environment_id IS NULL");
        } else {
            eq(b, and, "r.environment_id", f.environmentId());
        }
        if (f.ancestorRunId() != null) {
            and.add("r.id IN (SELECT run_id FROM run_ancestors WHERE ancestor_id = " + b.param(f.ancestorRunId()) + ")");
        }
        for (Map.Entry<String, String> m : f.metadata().entrySet()) {
            // IN rather than EXISTS: a set either database can drive the listing from when it is small
            // (see fewMatches), and a cheap membership test per row when it is not
            String in = "r.id IN (SELECT m.run_id FROM run_metadata m WHERE m.key = " + b.param(m.getKey())
                    + " AND m.value = " + b.param(m.getValue()) + ")";
            // IS TRUE (the same test: run_id is never null) keeps PostgreSQL from turning the IN into a join, whose
            // walk of the sort's index looks each run up in run_metadata's index (~3 µs each, 10,000 of them for a
            // page of a pair matching 0.2 % of the runs); as a filter it reads the matches once into a hash table
            and.add(metadataHashed ? "(" + in + ") IS TRUE" : in);
        }
        if (f.artifactType() != null) {
            and.add("EXISTS (SELECT 1 FROM artifacts a WHERE a.run_id = r.id AND a.artifact_type = "
                    + b.param(f.artifactType().name()) + ")");
        }
        if (!f.taskStatuses().isEmpty()) {
            // SQLite would read an IN list of states from runs_by_owner_state_updated, which yields each state's
            // runs in order but not their union, and sort all of them (0.7 s for a deep page of
            // task_status=failed over 400k runs); "+" keeps it on the sort's index, where a page of these common
            // states is found at once. PostgreSQL's planner weighs both by its statistics.
            String state = dialect.plansWithoutStatistics() ? "+r.state" : "r.state";
            List<String> any = new ArrayList<>();
            for (String status : f.taskStatuses()) {
                if (status.equals("running")) { // the run, or any run below it, is not finished
                    String active = RunTransitions.ACTIVE_SQL;
                    any.add(state + " IN " + active + " OR EXISTS (SELECT 1 FROM run_ancestors a JOIN runs d ON d.id = "
                            + "a.run_id WHERE a.ancestor_id = r.id AND d.state IN " + active + ")");
                } else {
                    any.add(state + " IN (" + String.join(", ", TASK_STATES.get(status).stream().map(b::param).toList()) + ")");
                }
            }
            and.add("(" + String.join(" OR ", any) + ")");
        }
        if (f.matchesNothing() != null) {
            and.add("1 = 0");
        }
        if (f.q() != null) {
            and.add(textScanned ? dialect.runTextScan(b, f.q()) : dialect.runTextSearch(b, f.q()));
        }
        b.append(and.isEmpty() ? "1 = 1" : String.join(" AND ", and));
        return b.build();
    }

    /**
     * The sets of run ids (of every owner) that the filters {@code q} and {@code metadata} select from their own
     * indexes, as queries; {@link RunRepository} counts them to choose the plan on SQLite.
     */
    static List<Sql> matchSets(Dialect dialect, RunFilter f) {
        List<Sql> out = new ArrayList<>(metadataSets(f));
        if (f.q() != null) {
            Sql search = dialect.runTextSearchIds(f.q());
            if (search != null) {
                out.add(search);
            }
        }
        return out;
    }

    /**
     * The runs each {@code metadata} pair matches (of every owner), one query per pair; their parameters' names
     * differ, so that they can be written into one statement.
     */
    static List<Sql> metadataSets(RunFilter f) {
        List<Sql> out = new ArrayList<>();
        for (Map.Entry<String, String> m : f.metadata().entrySet()) {
            int i = out.size();
            out.add(new Sql("SELECT run_id FROM run_metadata WHERE key = :mk" + i + " AND value = :mv" + i,
                    Map.of("mk" + i, m.getKey(), "mv" + i, m.getValue())));
        }
        return out;
    }

    /** The newer SDK's {@code task_status} values but running, as the run states they match. */
    static final Map<String, List<String>> TASK_STATES = Map.of("failed", List.of("FAILED", "ERROR"),
            "blocked", List.of("BLOCKED"), "cancelled", List.of("CANCELLED"), "complete", List.of("SUCCEEDED"));

    private static void eq(Sql.Builder b, List<String> and, String column, String value) {
        if (value != null) {
            and.add(column + " = " + b.param(value));
        }
    }

    /** The expression of key part {@code i}; for runs changed since the snapshot, updated_at as it was then. */
    private static String keyExpression(Dialect dialect, RunSort sort, int i, boolean changedSinceSnapshot,
            boolean byExpression) {
        RunSort.Key key = sort.keys.get(i);
        if (changedSinceSnapshot && sort == RunSort.UPDATED_AT) {
            return "(SELECT e.occurred_at FROM events e WHERE e.run_id = r.id AND e.sequence <= :snap"
                    + " ORDER BY e.sequence DESC LIMIT 1)";
        }
        if (byExpression && key.type() == RunSort.Key.Type.LONG) {
            return "(" + key.expression() + " + 0)"; // the same order, but no index yields it
        }
        return key.type() == RunSort.Key.Type.STRING ? dialect.binaryCollation(key.expression()) : key.expression();
    }

    private static String direction(RunSort.Key key, boolean descending) {
        return key.ascendingAlways() || !descending ? "ASC" : "DESC";
    }

    /**
     * Whether a state filter is read as one range per state: with several states, an index led by
     * {@code (owner_id, state)} yields each state's runs in sort order but not their union, so a single range
     * would have to read and sort every matching run (all failed runs of a year for {@code state=FAILED&state=ERROR}).
     */
    static boolean splitStates(RunFilter f) {
        return f.states().size() > 1;
    }

    /** How each part of a page is read. */
    enum Access {
        /** The sort's index walked and each run tested against the filters: what the planner chooses. */
        WALK,
        /** SQLite: a filter's few matches looked up by id and sorted ("+" keeps the owner's indexes out of the plan). */
        FEW_MATCHES,
        /**
         * PostgreSQL, a narrow created-date window (CreatedWindow) or a rare short q's candidates: a numeric sort key
         * written as an expression no index has, so that those runs are read and sorted rather than the index walked.
         */
        SORTED,
        /**
         * PostgreSQL, filters that only test the run's id (metadata pairs with many matches, hashed): the page's ids
         * found by a walk of the sort's index alone, then only their rows read. The walk tests each entry against
         * the hashed matches without reading the run's row (an index-only scan) where the row's page is all-visible
         * (unchanged since a vacuum): a seventh to a twelfth of the pages a walk that fetches every row reads
         * (docs/benchmarks.md). The snapshot's test becomes one of the id too: not a run with an event above it
         * ({@link #NOT_UPDATED_SINCE}) or created above it ({@link #NOT_CREATED_SINCE}).
         */
        IDS_FROM_INDEX
    }

    /**
     * {@code r.updated_seq > :snap} as a test of the run's id: a run's updated_seq is its latest event's sequence
     * (EventLog stamps it with each), so the runs updated since the snapshot are those with an event above it.
     */
    private static final String UPDATED_SINCE = "r.id IN (SELECT e.run_id FROM events e WHERE e.sequence > :snap)";

    /** {@code r.updated_seq <= :snap} as a test of the run's id. */
    private static final String NOT_UPDATED_SINCE = "NOT (" + UPDATED_SINCE + ")";

    /** {@code r.created_seq <= :snap} as a test of the run's id: not a run whose creating event is above it. */
    private static final String NOT_CREATED_SINCE = "NOT (r.id IN (SELECT e.run_id FROM events e JOIN runs c"
            + " ON c.id = e.run_id AND c.created_seq = e.sequence WHERE e.sequence > :snap))";

    /**
     * The union of bounded, ordered range scans: one per owner (every list is per owner: the tenancy condition
     * leads every index the list uses), and within an owner one per state of a several-state filter
     * ({@link #splitStates}) and, for the agent sort, one for runs with a skill and one for runs without. Each
     * part reads at most {@code limit} rows in index order, as {@code access} says; the caller merges them.
     * {@code changedSinceSnapshot} selects the runs updated after the snapshot (later pages of an updated_at
     * listing), positioned by their state at it.
     */
    static Sql page(Dialect dialect, List<String> ownerIds, List<RunState> splitStates, Sql where, RunSort sort,
            boolean descending, ListCursor cursor, long snapshot, int limit, boolean changedSinceSnapshot,
            Access access) {
        Sql.Builder b = new Sql.Builder("o");
        List<String> keyExprs = new ArrayList<>();
        for (int i = 0; i < sort.keys.size(); i++) {
            keyExprs.add(keyExpression(dialect, sort, i, changedSinceSnapshot, access == Access.SORTED));
        }
        StringBuilder select = new StringBuilder("SELECT ").append(RunRepository.COLUMNS);
        for (int i = 0; i < keyExprs.size(); i++) {
            select.append(", ").append(keyExprs.get(i)).append(" AS k").append(i);
        }
        List<String> conditions = new ArrayList<>();
        conditions.add(where.text());
        // the runs changed since the snapshot are those with an event above it: read from the log's own order (its
        // newest entries), as updated_seq has no index (V27: the stamp stays off the indexes). SQLite, which keeps no
        // statistics, takes any indexed equality of the filter (a state, a creator) for a few rows and would walk it,
        // testing each run against those events: a tenth of a million runs for state=FAILED, 220 ms a page. The left
        // side of a CROSS JOIN is always its outer loop, so there the events above the snapshot are read first and
        // each run by its id, joined through its latest event only (the one whose sequence is its updated_seq), so
        // once; not through a DISTINCT of their run ids, which SQLite reads in run order: every event of the log. The
        // "+" keeps the join's equality from being carried over to the events (a metadata pair's 2,000 run ids would
        // each be looked up in events_by_run, 10 ms a page), so they are read by sequence.
        boolean changedFirst = changedSinceSnapshot && dialect.plansWithoutStatistics();
        String from = changedFirst ? "events changed CROSS JOIN runs r" : "runs r";
        if (cursor != null) {
            if (sort == RunSort.UPDATED_AT) {
                String changed = changedFirst
                        ? "changed.sequence > :snap AND r.id = +changed.run_id AND r.updated_seq = changed.sequence"
                        : UPDATED_SINCE + " AND r.updated_seq > :snap";
                conditions.add(changedSinceSnapshot ? changed + " AND r.created_seq <= :snap"
                        : access == Access.IDS_FROM_INDEX ? NOT_UPDATED_SINCE : "r.updated_seq <= :snap");
            } else {
                conditions.add(access == Access.IDS_FROM_INDEX ? NOT_CREATED_SINCE : "r.created_seq <= :snap");
            }
        }
        // the agent sort's leading key (no skill last, whatever the direction) is split into its two values, so
        // that each part is ordered in one direction and read from runs_by_agent; other sorts have one part
        boolean splitLeading = !sort.keys.isEmpty() && sort.keys.getFirst().ascendingAlways();
        List<String> partConditions = new ArrayList<>();
        if (!splitLeading) {
            partConditions.add(cursor == null ? null : keyset(b, sort, keyExprs, descending, cursor, 0));
        } else {
            long cursorPart = cursor == null ? -1 : ((Number) cursor.keys().getFirst()).longValue();
            for (long part = 0; part <= 1; part++) {
                if (part < cursorPart) {
                    continue; // entirely before the cursor
                }
                String in = keyExprs.getFirst() + " = " + part;
                partConditions.add(part == cursorPart ? in + " AND " + keyset(b, sort, keyExprs, descending, cursor, 1) : in);
            }
        }
        StringBuilder order = new StringBuilder();
        for (int i = splitLeading ? 1 : 0; i < keyExprs.size(); i++) {
            order.append(keyExprs.get(i)).append(' ').append(direction(sort.keys.get(i), descending)).append(", ");
        }
        order.append("r.id ").append(descending ? "DESC" : "ASC");
        List<String> states = splitStates.isEmpty() ? java.util.Collections.singletonList(null)
                : splitStates.stream().map(RunState::name).toList();
        List<String> parts = new ArrayList<>();
        for (String owner : ownerIds) {
            String ownerParam = b.param(owner);
            for (String state : states) {
                String stateCondition = state == null ? null : "r.state = " + b.param(state);
                for (String partCondition : partConditions) {
                    List<String> all = new ArrayList<>();
                    // SQLite, a filter with few matches or the runs changed since the snapshot: "+" keeps the owner's
                    // indexes out of the plan, so the matches are looked up by id and sorted instead of the owner's
                    // runs being walked in order
                    boolean byId = access == Access.FEW_MATCHES || changedFirst;
                    all.add((byId ? "+r.owner_id = " : "r.owner_id = ") + ownerParam);
                    if (stateCondition != null) {
                        all.add(stateCondition);
                    }
                    all.addAll(conditions);
                    if (partCondition != null) {
                        all.add(partCondition);
                    }
                    String runs = String.join(" AND ", all);
                    if (access == Access.IDS_FROM_INDEX) {
                        runs = "r.id IN (SELECT r.id FROM runs r WHERE " + runs + " ORDER BY " + order + " LIMIT " + limit + ")";
                    }
                    parts.add("SELECT * FROM (" + select + " FROM " + from + " WHERE " + runs + " ORDER BY " + order
                            + " LIMIT " + limit + ") t" + parts.size());
                }
            }
        }
        b.append(String.join(" UNION ALL ", parts));
        Sql built = b.build();
        java.util.Map<String, Object> params = new java.util.HashMap<>(built.params());
        params.putAll(where.params());
        params.put("snap", snapshot);
        return new Sql(built.text(), params);
    }

    /**
     * "After the cursor" in sort order, on the key parts from {@code from} on. Uniform directions use a row-value
     * comparison, which both databases answer from the index; mixed ones expand to the lexicographic OR.
     */
    private static String keyset(Sql.Builder b, RunSort sort, List<String> keyExprs, boolean descending, ListCursor c,
            int from) {
        boolean uniform = sort.keys.subList(from, sort.keys.size()).stream().noneMatch(RunSort.Key::ascendingAlways);
        if (uniform) {
            List<String> lhs = new ArrayList<>(keyExprs.subList(from, keyExprs.size()));
            List<String> rhs = new ArrayList<>();
            for (Object k : c.keys().subList(from, c.keys().size())) {
                rhs.add(b.param(normalise(k)));
            }
            lhs.add("r.id");
            rhs.add(b.param(c.id()));
            return "(" + String.join(", ", lhs) + ") " + (descending ? "<" : ">") + " (" + String.join(", ", rhs) + ")";
        }
        List<String> ors = new ArrayList<>();
        List<String> equalSoFar = new ArrayList<>();
        for (int i = 0; i <= keyExprs.size(); i++) {
            boolean idPart = i == keyExprs.size();
            String expr = idPart ? "r.id" : keyExprs.get(i);
            String value = b.param(idPart ? c.id() : normalise(c.keys().get(i)));
            boolean asc = idPart ? !descending : direction(sort.keys.get(i), descending).equals("ASC");
            List<String> term = new ArrayList<>(equalSoFar);
            term.add(expr + (asc ? " > " : " < ") + value);
            ors.add("(" + String.join(" AND ", term) + ")");
            equalSoFar.add(expr + " = " + value);
        }
        return "(" + String.join(" OR ", ors) + ")";
    }

    private static Object normalise(Object key) {
        return key instanceof Number n ? (Object) n.longValue() : key;
    }

    static String outerOrder(RunSort sort, boolean descending) {
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < sort.keys.size(); i++) {
            order.append("u.k").append(i).append(' ').append(direction(sort.keys.get(i), descending)).append(", ");
        }
        return order.append("u.id ").append(descending ? "DESC" : "ASC").toString();
    }

    /** The same order in Java, for merging the pages of several owners and of changed runs. */
    static Comparator<RunRepository.Positioned> comparator(RunSort sort, boolean descending) {
        return (a, b) -> {
            for (int i = 0; i < sort.keys.size(); i++) {
                int c = compareKey(a.key().get(i), b.key().get(i));
                if (c != 0) {
                    return direction(sort.keys.get(i), descending).equals("ASC") ? c : -c;
                }
            }
            int c = compareKey(a.row().id(), b.row().id());
            return descending ? -c : c;
        };
    }

    private static int compareKey(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        return compareCodePoints((String) a, (String) b);
    }

    /** Code point order, which is what both databases' binary collations give for UTF-8 text. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
