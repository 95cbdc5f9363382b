package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;

/** What the server's SQLite connections run besides Drover's own statements: nothing, once those are prepared. */
class SqliteConnectionsTest {
    @TempDir
    Path dir;

    /**
     * sqlite-jdbc's default follows every INSERT with a {@code SELECT last_insert_rowid();} that it prepares anew each
     * time, for generated keys Drover never reads (its ids are its own). A statement SQLite prepares is parsed, so
     * with the longest SQL text it may parse lowered below that query's length, an INSERT that brings one fails.
     */
    @Test
    void anInsertPreparedOnceRunsAgainWithoutTheDriverPreparingAnythingOfItsOwn() {
        try (Database db = Database.open(Database.Settings.sqlite(dir))) {
            db.write(h -> {
                insert(h, "first");
                longestSql(h, 20); // above "begin;" and "commit;", below both statements
                try {
                    insert(h, "second");
                } finally {
                    longestSql(h, 1_000_000_000);
                }
                return null;
            });
            int inserted = db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM server_secrets WHERE name LIKE 'test-%'")
                    .mapTo(Integer.class).one());
            assertThat(inserted).isEqualTo(2);
        }
    }

    private static void insert(Handle h, String name) {
        h.createUpdate("INSERT INTO server_secrets (name, value) VALUES (:n, :v)").bind("n", "test-" + name)
                .bind("v", "x").execute();
    }

    private static void longestSql(Handle h, int length) {
        try {
            h.getConnection().unwrap(SQLiteConnection.class).setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, length);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
