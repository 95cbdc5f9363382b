package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.RunState;
import dev.drover.server.store.Database;
import dev.drover.server.store.Sql;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;

/**
 * A listing's statements are prepared once per connection and then only executed: SQLite prepares a statement
 * again at every execution when its plan was made from a bound value (a LIMIT, a LIKE pattern against an indexed
 * column), which cost a small listing most of its time (StatementCache). SQLite parses a statement again when it
 * prepares it again, so a page is read twice on one connection, the second time with the longest SQL SQLite may parse
 * lowered below every statement's length: any statement prepared again fails it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunListStatementsSqliteTest {
    TestServer server;
    Database db;
    RunRepository repo;
    List<String> owners;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE);
        db = server.server().database();
        repo = new RunRepository(db);
        Api api = server.newTenant("statements-" + UUID.randomUUID());
        for (int i = 0; i < 30; i++) {
            api.createRun(Map.of("prompt", "Fix the inventory bug number " + i, "title", "Bug " + i,
                    "metadata", Map.of("module", i % 2 == 0 ? "inventory" : "billing")));
        }
        var run = api.get("/agent/runs?limit=1").json().get("runs").get(0);
        owners = List.of(run.get("creator").get("uid").asText(), run.get("scope").get("uid").asText());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static RunFilter filter(SortedMap<String, String> metadata, List<RunState> states) {
        return new RunFilter(states, null, null, null, List.of(), null, null, null, null, null, null, null, null,
                metadata, null, null, null, null, List.of(), null);
    }

    /** The listing's page and the one after it, read twice on one connection, the second time strictly. */
    private void readTwice(RunFilter filter, RunSort sort, boolean descending) {
        readTwice(h -> page(h, filter, sort, descending));
    }

    private void readTwice(Function<Handle, List<String>> read) {
        db.read(h -> {
            List<String> first = read.apply(h);
            assertThat(first).isNotEmpty();
            SQLiteConnection sqlite;
            try {
                sqlite = h.getConnection().unwrap(SQLiteConnection.class);
                // above what sqlite-jdbc has SQLite parse itself each time ("begin;", "commit;"), below every statement
                sqlite.setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, 20);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            try {
                assertThat(read.apply(h)).as("read again without preparing").isEqualTo(first);
            } finally {
                try {
                    sqlite.setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, 1_000_000_000);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            return null;
        });
    }

    /** Two pages of 5, the second through its cursor: the ids of both. */
    private List<String> page(Handle h, RunFilter filter, RunSort sort, boolean descending) {
        long snapshot = repo.head(h);
        List<RunRepository.Positioned> one = repo.page(h, owners, filter, sort, descending, null, snapshot, 5);
        List<String> ids = new ArrayList<>(one.stream().map(p -> p.row().id()).toList());
        RunRepository.Positioned last = one.getLast();
        ListCursor cursor = new ListCursor(sort.wire, descending, last.key(), last.row().id(), snapshot, "f");
        repo.page(h, owners, filter, sort, descending, cursor, snapshot, 5).forEach(p -> ids.add(p.row().id()));
        return ids;
    }

    @Test
    void everySortIsReadAgainWithoutBeingPreparedAgain() {
        for (RunSort sort : RunSort.values()) {
            readTwice(filter(new TreeMap<>(), List.of()), sort, true);
            readTwice(filter(new TreeMap<>(), List.of()), sort, false);
        }
    }

    @Test
    void filtersByStateAndByMetadataAreReadAgainWithoutBeingPreparedAgain() {
        readTwice(filter(new TreeMap<>(), List.of(RunState.QUEUED)), RunSort.UPDATED_AT, true);
        readTwice(filter(new TreeMap<>(Map.of("module", "inventory")), List.of()), RunSort.UPDATED_AT, true);
    }

    /**
     * A later page of an {@code updated_at} listing also reads the runs changed since its snapshot, from the events
     * above it. With a filter that has an index of its own (a state here), SQLite, which keeps no statistics, would
     * walk that index instead: every failed run, to test each against those events (220 ms a page at a million runs);
     * with a metadata pair, it would look each of the pair's runs up among the events (10 ms).
     */
    @Test
    void theRunsChangedSinceASnapshotAreReadFromItsEventsWhateverTheFilter() {
        for (RunFilter f : List.of(filter(new TreeMap<>(), List.of(RunState.QUEUED)),
                filter(new TreeMap<>(), List.of(RunState.QUEUED, RunState.FAILED)),
                filter(new TreeMap<>(Map.of("module", "inventory")), List.of()))) {
            List<RunState> split = RunListSql.splitStates(f) ? f.states() : List.of();
            Sql where = RunListSql.filters(db.dialect(), f, !split.isEmpty(), false);
            ListCursor cursor = new ListCursor("updated_at", true, List.of(Long.MAX_VALUE), "~", 0, "f");
            Sql page = RunListSql.page(db.dialect(), owners, split, where, RunSort.UPDATED_AT, true, cursor, 0, 20, true,
                    RunListSql.Access.WALK);
            List<String> plan = db.read(h -> {
                var explain = h.createQuery("EXPLAIN QUERY PLAN " + page.text());
                page.params().forEach(explain::bind);
                return explain.bind("snap", 0L).map((rs, ctx) -> rs.getString("detail")).list();
            });
            assertThat(plan).as(f + ": " + plan).noneMatch(step -> step.startsWith("SCAN r")
                    || step.startsWith("SEARCH r USING INDEX runs_by_") || step.startsWith("SEARCH r USING COVERING"));
            assertThat(plan).as(f + ": " + plan).anyMatch(step -> step.startsWith("SEARCH r USING INDEX sqlite_autoindex_runs_1"));
            assertThat(plan).as(f + ": the events above the snapshot, by sequence: " + plan)
                    .anyMatch(step -> step.startsWith("SEARCH changed USING INDEX sqlite_autoindex_events_1 (sequence>?)"))
                    .noneMatch(step -> step.startsWith("SEARCH changed USING COVERING INDEX events_by_run"));
        }
    }

    /**
     * A {@code q} matched by LIKE (the walk of a short or common {@code q}). Not through a listing: a short {@code q}'s
     * candidates come from FTS5's vocabulary and a longer one's from FTS5, and FTS5 prepares statements of its own
     * at every such read (its vocabulary table at every query, its index for each of a statement's cursors beyond the
     * first), which no SQL of Drover's can change.
     */
    @Test
    void aTextMatchedByLikeIsReadAgainWithoutBeingPreparedAgain() {
        Sql.Builder b = new Sql.Builder("q");
        String scan = db.dialect().runTextScan(b, "ix");
        Sql params = b.build();
        readTwice(h -> {
            var query = h.createQuery("SELECT r.id FROM runs r WHERE r.owner_id = :owner AND " + scan
                    + " ORDER BY r.updated_at DESC, r.id DESC LIMIT 5").bind("owner", owners.get(1));
            params.params().forEach(query::bind);
            return query.mapTo(String.class).list();
        });
    }
}
