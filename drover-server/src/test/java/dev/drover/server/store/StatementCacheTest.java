package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteLimits;

/** The per-connection statement cache on a real SQLite file behind a real Hikari pool, as {@link Database} has it. */
class StatementCacheTest {
    @TempDir
    Path dir;

    HikariDataSource pool;
    StatementCache cache;
    Jdbi jdbi;

    @BeforeEach
    void open() {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("cache.db"));
        HikariConfig config = new HikariConfig();
        config.setDataSource(ds);
        config.setMaximumPoolSize(1); // one physical connection: every borrow is the same one
        pool = new HikariDataSource(config);
        cache = new StatementCache(SQLiteConnection.class);
        jdbi = Jdbi.create(pool).setStatementBuilderFactory(c -> cache);
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 1; i <= 5; i++) {
                h.execute("INSERT INTO t (id, v) VALUES (?, ?)", i, "v" + i);
            }
        });
    }

    @AfterEach
    void close() {
        pool.close();
    }

    /** Records the JDBC statement each execution ran on. */
    private static final class Seen implements StatementCustomizer {
        final List<Statement> statements = new ArrayList<>();

        @Override
        public void beforeExecution(PreparedStatement stmt, StatementContext ctx) {
            statements.add(stmt);
        }
    }

    private String value(Handle h, int id, Seen seen) {
        return h.createQuery("SELECT v FROM t WHERE id = :id").bind("id", id).addCustomizer(seen)
                .mapTo(String.class).one();
    }

    private String read(int id, Seen seen) {
        return jdbi.withHandle(h -> value(h, id, seen));
    }

    @Test
    void aStatementIsPreparedOnceAndReusedAcrossBorrowsOfTheConnection() throws Exception {
        Seen seen = new Seen();
        assertThat(read(1, seen)).isEqualTo("v1");
        // the handle went back to the pool, whose proxy closes every statement made through it: ours are not
        assertThat(read(2, seen)).isEqualTo("v2");
        assertThat(read(3, seen)).isEqualTo("v3");

        assertThat(seen.statements).hasSize(3);
        assertThat(seen.statements.get(1)).isSameAs(seen.statements.getFirst());
        assertThat(seen.statements.get(2)).isSameAs(seen.statements.getFirst());
        assertThat(seen.statements.getFirst().isClosed()).isFalse();
        try (var conn = pool.getConnection()) {
            assertThat(cache.idle(conn)).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void theSameSqlUsedWhileItsFirstResultIsStillBeingReadGetsAStatementOfItsOwn() {
        // a shared statement would re-execute under the open cursor: the outer loop would lose its rows
        List<String> pairs = jdbi.withHandle(h -> {
            List<String> out = new ArrayList<>();
            try (var outer = h.createQuery("SELECT id FROM t WHERE id >= :from ORDER BY id").bind("from", 1)
                    .mapTo(Integer.class).stream()) {
                outer.forEach(id -> out.add(id + ":" + h.createQuery("SELECT id FROM t WHERE id >= :from ORDER BY id")
                        .bind("from", 6 - id).mapTo(Integer.class).list()));
            }
            return out;
        });
        assertThat(pairs).containsExactly("1:[5]", "2:[4, 5]", "3:[3, 4, 5]", "4:[2, 3, 4, 5]", "5:[1, 2, 3, 4, 5]");
    }

    @Test
    void aCachedStatementStillCommitsAndRollsBackWithItsTransaction() {
        String update = "UPDATE t SET v = :v WHERE id = :id";
        jdbi.useTransaction(h -> h.createUpdate(update).bind("v", "kept").bind("id", 1).execute());
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            h.createUpdate(update).bind("v", "undone").bind("id", 2).execute();
            throw new IllegalStateException("abort");
        })).isInstanceOf(IllegalStateException.class);

        Seen seen = new Seen();
        assertThat(read(1, seen)).isEqualTo("kept");
        assertThat(read(2, seen)).isEqualTo("v2");
    }

    @Test
    void aFailedExecutionDoesNotLeaveItsValuesForTheNextUser() {
        String insert = "INSERT INTO t (id, v) VALUES (:id, :v)";
        assertThatThrownBy(() -> jdbi.useHandle(h -> h.createUpdate(insert).bind("id", 1).bind("v", "dup").execute()))
                .hasMessageContaining("UNIQUE");
        jdbi.useHandle(h -> h.createUpdate(insert).bind("id", 6).bind("v", "v6").execute());
        Seen seen = new Seen();
        assertThat(read(6, seen)).isEqualTo("v6");
        assertThat(read(1, seen)).isEqualTo("v1");
    }

    @Test
    void atMostABoundedNumberOfStatementsStayOpenPerConnection() throws Exception {
        jdbi.useHandle(h -> {
            for (int i = 0; i < StatementCache.PER_CONNECTION + 50; i++) {
                h.createQuery("SELECT v FROM t WHERE id = :id AND " + i + " = " + i).bind("id", 1)
                        .mapTo(String.class).one();
            }
        });
        try (var conn = pool.getConnection()) {
            assertThat(cache.idle(conn)).isEqualTo(StatementCache.PER_CONNECTION);
        }
    }

    /**
     * Why no statement of Drover's binds its LIMIT. SQLite parses a statement again when it prepares it again, so
     * with the longest SQL text it may parse lowered below the statements' lengths, an execution that re-prepares
     * fails and one that reuses its plan does not.
     */
    @Test
    void aStatementWhoseLimitIsBoundIsPreparedAgainAtEveryExecutionAndOneWithTheNumberWrittenInIsNot() throws Exception {
        String written = "SELECT v FROM t ORDER BY id LIMIT <n>";
        String bound = "SELECT v FROM t ORDER BY id LIMIT :n";
        try (Handle h = jdbi.open()) {
            assertThat(h.createQuery(written).define("n", 2).mapTo(String.class).list()).containsExactly("v1", "v2");
            assertThat(h.createQuery(bound).bind("n", 2).mapTo(String.class).list()).containsExactly("v1", "v2");
            SQLiteConnection sqlite = h.getConnection().unwrap(SQLiteConnection.class);
            // above "begin;" and "commit;", which sqlite-jdbc has SQLite parse each time, below both statements
            sqlite.setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, 20);
            try {
                assertThat(h.createQuery(written).define("n", 2).mapTo(String.class).list())
                        .as("prepared once, executed again").containsExactly("v1", "v2");
                assertThatThrownBy(() -> h.createQuery(bound).bind("n", 2).mapTo(String.class).list())
                        .as("binding the LIMIT again expired the plan: SQLite parses the statement anew")
                        .hasMessageContaining("SQLITE_TOOBIG");
            } finally {
                sqlite.setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, 1_000_000_000);
            }
        }
    }

    /** Plain JDBC users (Database.readPrepared) check statements out and in as Jdbi does, and get the same one back. */
    @Test
    void aStatementCheckedInByPlainJdbcIsTheOneCheckedOutNextWithNothingBoundLeftOver() throws Exception {
        String sql = "SELECT v FROM t WHERE id = ?";
        PreparedStatement first;
        int idleBefore;
        try (java.sql.Connection c = pool.getConnection()) {
            idleBefore = cache.idle(c); // the set-up's own statements
            first = cache.checkOut(c, sql);
            first.setInt(1, 2);
            try (java.sql.ResultSet rs = first.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("v2");
            }
            cache.checkIn(c, sql, first);
            assertThat(cache.idle(c)).isEqualTo(idleBefore + 1);
        }
        try (java.sql.Connection c = pool.getConnection()) {
            PreparedStatement again = cache.checkOut(c, sql);
            assertThat(again).isSameAs(first);
            assertThat(cache.idle(c)).isEqualTo(idleBefore);
            try (java.sql.ResultSet rs = again.executeQuery()) {
                assertThat(rs.next()).as("the last use's id = 2 was cleared (unbound is NULL)").isFalse();
            }
            cache.checkIn(c, sql, again);
        }
    }
}
