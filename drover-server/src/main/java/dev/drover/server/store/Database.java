package dev.drover.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The store: a writer and a reader {@link Jdbi} over one schema, plus the {@link Dialect} chosen at start.
 * On SQLite the writer is a single connection whose transactions begin IMMEDIATE (so two writers never
 * deadlock upgrading a read lock) and readers use their own WAL connections; on PostgreSQL both are one pool.
 */
public final class Database implements AutoCloseable {
    private final Dialect dialect;
    private final Jdbi writer;
    private final Jdbi reader;
    private final List<HikariDataSource> pools;
    private final String url;
    private final GroupCommit grouped;

    /** SQLite's statements kept prepared per connection; null on PostgreSQL, where pgjdbc keeps them itself. */
    private final StatementCache statements;

    private Database(Dialect dialect, String url, Jdbi writer, Jdbi reader, List<HikariDataSource> pools,
            StatementCache statements, int leaders) {
        this.statements = statements;
        this.dialect = dialect;
        this.url = url;
        this.writer = writer;
        this.reader = reader;
        this.pools = pools;
        this.grouped = new GroupCommit(this::write, leaders, dialect::isDeadlock);
    }

    /**
     * Connection settings; a {@code jdbc:postgresql:} url selects PostgreSQL, anything else SQLite.
     * {@code connectionTimeout} is how long a request waits for a free connection of the pool before it is answered
     * 503 (Hikari's connection timeout, whose {@link java.sql.SQLTransientConnectionException} {@code Problems} maps).
     */
    public record Settings(String url, String user, String password, Path dataDir, int poolSize,
            Duration connectionTimeout) {
        /** Hikari's own default: long enough that only a database that is really behind gives up on a request. */
        public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);

        public Settings(String url, String user, String password, Path dataDir, int poolSize) {
            this(url, user, password, dataDir, poolSize, DEFAULT_CONNECTION_TIMEOUT);
        }

        public static Settings sqlite(Path dataDir) {
            return new Settings(null, null, null, dataDir, 8);
        }

        boolean postgres() {
            return url != null && url.startsWith("jdbc:postgresql:");
        }

        /** Never the password, in the field or inside the URL. */
        @Override
        public String toString() {
            String shown = url == null ? null : url.replaceAll("(?i)(password=)[^&;]*", "$1***");
            return "Settings[url=" + shown + ", user=" + user + ", password=" + (password == null ? null : "***")
                    + ", dataDir=" + dataDir + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
        }
    }

    public static Database open(Settings settings) {
        Database db = settings.postgres() ? openPostgres(settings) : openSqlite(settings);
        try {
            db.migrate();
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static Database openSqlite(Settings settings) {
        String url = settings.url() != null ? settings.url()
                : "jdbc:sqlite:" + settings.dataDir().resolve("drover.db").toAbsolutePath();
        if (settings.url() == null) {
            try {
                Files.createDirectories(settings.dataDir());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot create data directory " + settings.dataDir(), e);
            }
        }
        HikariDataSource writerPool = pool("drover-sqlite-writer", sqlite(url, false), 1, settings.connectionTimeout());
        HikariDataSource readerPool = pool("drover-sqlite-reader", sqlite(url, true), Math.max(2, settings.poolSize()),
                settings.connectionTimeout());
        // each connection keeps the statements it prepared (see StatementCache); pgjdbc does this by itself
        StatementCache statements = new StatementCache(org.sqlite.SQLiteConnection.class);
        Jdbi writer = jdbi(writerPool).setStatementBuilderFactory(c -> statements);
        Jdbi reader = jdbi(readerPool).setStatementBuilderFactory(c -> statements);
        return new Database(new SqliteDialect(), url, writer, reader, List.of(writerPool, readerPool), statements,
                1); // one writer: one leader
    }

    private static DataSource sqlite(String url, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        config.enforceForeignKeys(true);
        // Drover makes its own ids; with this on (sqlite-jdbc's default), every INSERT is followed by a
        // "SELECT last_insert_rowid();" that the driver prepares, runs and finalises anew each time
        config.setGetGeneratedKeys(false);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        if (readOnly) {
            config.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        }
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl(url);
        return ds;
    }

    /**
     * How long PostgreSQL lets a session of Drover's sit inside a transaction with no statement running before it ends
     * the session, and with it the transaction and its locks. A write holds the event counter's row lock from its
     * append to its commit (EventLog), and every append of every node waits for it. A node that stops in between — a
     * network partition, a frozen VM or container, a stopped process — would otherwise hold every node's appends
     * until the server noticed the connection was gone (TCP keepalive: hours by default); with this, for ten seconds
     * at most, after which the stopped node's write fails and is not half-done. No transaction of Drover's waits on
     * anything outside the database between its statements (skills, git and forges are resolved before it), so in a
     * healthy node the idle time inside a transaction is a round trip. A kill -9 needs none of this: the kernel closes
     * the socket and PostgreSQL rolls back at once.
     */
    static final Duration IDLE_IN_TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

    private static Database openPostgres(Settings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("drover-postgres");
        config.setJdbcUrl(settings.url());
        Optional.ofNullable(settings.user()).ifPresent(config::setUsername);
        Optional.ofNullable(settings.password()).ifPresent(config::setPassword);
        config.setMaximumPoolSize(Math.max(4, settings.poolSize()));
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        // whatever the server's default_transaction_isolation: Database.write relies on READ COMMITTED
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setConnectionInitSql("SET idle_in_transaction_session_timeout = "
                + IDLE_IN_TRANSACTION_TIMEOUT.toMillis());
        HikariDataSource pool = new HikariDataSource(config);
        Jdbi jdbi = jdbi(pool);
        return new Database(new PostgresDialect(), settings.url(), jdbi, jdbi, List.of(pool), null,
                GroupCommit.postgresLeaders(config.getMaximumPoolSize()));
    }

    private static HikariDataSource pool(String name, DataSource ds, int size, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setDataSource(ds);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(size, 2));
        return new HikariDataSource(config);
    }

    private static Jdbi jdbi(DataSource ds) {
        Jdbi jdbi = Jdbi.create(ds);
        jdbi.getConfig(org.jdbi.v3.core.statement.SqlStatements.class).setUnusedBindingAllowed(true);
        return jdbi;
    }

    private void migrate() {
        if (SchemaCheck.upToDate(pools.getFirst(), dialect.migrations().substring("classpath:".length()))) {
            return; // a restart on the schema this build ships: nothing for Flyway to do (SchemaCheck says why)
        }
        Flyway.configure()
                .dataSource(pools.getFirst())
                .locations(dialect.migrations())
                .load()
                .migrate();
    }

    public Dialect dialect() {
        return dialect;
    }

    public boolean isPostgres() {
        return dialect instanceof PostgresDialect;
    }

    /** The JDBC url, for the components (such as LISTEN) that need a connection of their own. */
    public String url() {
        return url;
    }

    /** The PostgreSQL pool, for LISTEN; empty on SQLite. */
    public Optional<DataSource> postgresDataSource() {
        return isPostgres() ? Optional.of(pools.getFirst()) : Optional.empty();
    }

    /**
     * Runs {@code work} in one write transaction: all of it commits, or none of it. READ COMMITTED on PostgreSQL (the
     * pool sets it once per connection; the event counter's update relies on it re-reading the row it waited for), a
     * serial writer on SQLite. Not JDBI's {@code inTransaction(level, …)}: it asks pgjdbc for the connection's level
     * and sets it before and after every transaction, each a round trip ({@code SHOW TRANSACTION ISOLATION LEVEL},
     * {@code SET SESSION CHARACTERISTICS}).
     */
    public <T> T write(HandleCallback<T, RuntimeException> work) {
        return writer.inTransaction(work);
    }

    /**
     * Like {@link #write}, for work of which many run at once (creating runs, claims, workers' reports): concurrent
     * calls share one transaction ({@link GroupCommit}); when one of them throws, only its own statements are undone
     * and the others commit. {@code work} may run more than once, its earlier runs rolled back (when another unit of
     * its batch failed, or after a deadlock with another batch on PostgreSQL), so it must not act outside the
     * transaction but through {@link CommitHooks}.
     */
    public <T> T writeGrouped(HandleCallback<T, RuntimeException> work) {
        return grouped.write(work);
    }

    /**
     * From now on, units of {@link #writeGrouped} may leave rows to the end of their batch
     * ({@link CommitHooks#defer}), where {@code writer} writes all of them, in the order they were deferred.
     */
    public void deferToBatchEnd(BiConsumer<Handle, List<Object>> writer) {
        grouped.deferToBatchEnd(writer);
    }

    /** The group commit, for tests. */
    GroupCommit groupCommit() {
        return grouped;
    }

    /** Runs {@code work} on a reader; a consistent snapshot on both dialects. */
    public <T> T read(HandleCallback<T, RuntimeException> work) {
        return reader.inTransaction(h -> {
            dialect.readOneSnapshot(h);
            return work.withHandle(h);
        });
    }

    /** Like {@link #read} without a transaction, for single statements on hot paths. */
    public <T> T readOne(HandleCallback<T, RuntimeException> work) {
        return reader.withHandle(work);
    }

    /** What {@link #readPrepared} does with its statement. */
    @FunctionalInterface
    public interface StatementWork<T> {
        T apply(PreparedStatement statement) throws SQLException;
    }

    /**
     * Runs {@code work} on a reader with {@code sql} prepared, in plain JDBC, for the one or two statements so hot that
     * Jdbi's binding and mapping machinery costs more than the query. See {@link #prepared}.
     */
    public <T> T readPrepared(String sql, StatementWork<T> work) {
        return reader.withHandle(h -> prepared(h, sql, work));
    }

    /**
     * Runs {@code work} with {@code sql} prepared on {@code h}'s connection, in plain JDBC, inside whatever
     * transaction {@code h} is in. The statement stays prepared on its connection for the next use (SQLite:
     * {@link StatementCache}; PostgreSQL: pgjdbc's own cache of server-side statements).
     */
    public <T> T prepared(Handle h, String sql, StatementWork<T> work) {
        Connection conn = h.getConnection();
        try {
            PreparedStatement ps = statements != null ? statements.checkOut(conn, sql) : conn.prepareStatement(sql);
            boolean done = false;
            try {
                T result = work.apply(ps);
                done = true;
                return result;
            } finally {
                if (statements != null && done) {
                    statements.checkIn(conn, sql, ps);
                } else {
                    ps.close(); // a failed use is not trusted again
                }
            }
        } catch (SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
        }
    }

    /** Is the database answering? Used by {@code /readyz}. */
    public boolean ping() {
        try {
            return readOne(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        List<HikariDataSource> reversed = new ArrayList<>(pools);
        java.util.Collections.reverse(reversed);
        reversed.forEach(HikariDataSource::close);
    }

}
