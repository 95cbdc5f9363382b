package dev.drover.server.store;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Keeps prepared statements open on each physical connection and hands them out again for the same SQL, so a
 * hot statement is prepared once per connection instead of once per use. On SQLite preparing is most of a small
 * read: a JFR profile of {@code GET /agent/runs/{id}} put 44 % of the request in {@code NativeDB.prepare_utf8}
 * (docs/benchmarks.md). pgjdbc keeps its own per-connection cache of server-side statements, so this is for
 * SQLite only.
 *
 * <p>A statement is checked out while Jdbi uses it and back in when Jdbi would close it: two open uses of the same
 * SQL on one connection (a statement executed while another result set of the same SQL is still being read) get
 * two statements, never one shared. Statements are prepared on the unwrapped driver connection, because the pool's
 * proxy closes every statement made through it when the connection goes back to the pool; they live as long as
 * that physical connection (closing it finalises them) and at most {@link #PER_CONNECTION} distinct SQL texts are
 * kept per connection, the least recently used closed first.
 *
 * <p>So no statement of Drover's binds its {@code LIMIT}: the number is written into the SQL (Jdbi's
 * {@code LIMIT <name>} with {@code define}, or concatenated). SQLite's planner reads a bound {@code LIMIT}'s value,
 * and a statement planned from a bound value is marked expired whenever that parameter is bound again, which
 * sqlite-jdbc does at every execution: the statement was prepared anew each time, behind this cache's back. For the
 * runs list's union that was 250 of 270 µs of its query (measured with sqlite-jdbc 3.53; docs/benchmarks.md,
 * "Statements SQLite prepared at every execution"). {@code SqlLimitsTest} keeps it so.
 */
final class StatementCache implements StatementBuilder {
    static final int PER_CONNECTION = 256;

    private final DefaultStatementBuilder plain = new DefaultStatementBuilder();
    /** Physical connection → its idle statements by SQL; weak so a connection the pool retired is forgotten. */
    private final Map<Connection, Idle> connections = Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * Statements handed out by this cache and not yet returned, with the SQL they were prepared from: close() is told
     * the statement's SQL before Jdbi rewrote its named parameters, so the key is remembered here.
     */
    private final Map<Statement, String> checkedOut = Collections.synchronizedMap(new IdentityHashMap<>());

    private final Class<? extends Connection> driverConnection;

    StatementCache(Class<? extends Connection> driverConnection) {
        this.driverConnection = driverConnection;
    }

    /** One connection's idle statements, least recently used first. */
    private static final class Idle extends LinkedHashMap<String, ArrayDeque<PreparedStatement>> {
        Idle() {
            super(64, 0.75f, true);
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<PreparedStatement>> eldest) {
            if (size() <= PER_CONNECTION) {
                return false;
            }
            eldest.getValue().forEach(StatementCache::closeQuietly);
            return true;
        }
    }

    @Override
    public Statement create(Connection conn, StatementContext ctx) throws SQLException {
        return plain.create(conn, ctx);
    }

    @Override
    public PreparedStatement create(Connection conn, String sql, StatementContext ctx) throws SQLException {
        if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
            return plain.create(conn, sql, ctx);
        }
        PreparedStatement stmt = checkOut(conn, sql);
        checkedOut.put(stmt, sql);
        return stmt;
    }

    /** An idle statement of {@code sql} on {@code conn}'s physical connection, or a new one; {@link #checkIn} it. */
    PreparedStatement checkOut(Connection conn, String sql) throws SQLException {
        Connection physical = conn.unwrap(driverConnection);
        Idle idle = connections.computeIfAbsent(physical, c -> new Idle());
        synchronized (idle) {
            ArrayDeque<PreparedStatement> free = idle.get(sql);
            while (free != null && !free.isEmpty()) {
                PreparedStatement candidate = free.pop();
                if (!candidate.isClosed()) {
                    return candidate;
                }
            }
        }
        return physical.prepareStatement(sql);
    }

    @Override
    public CallableStatement createCall(Connection conn, String sql, StatementContext ctx) throws SQLException {
        return plain.createCall(conn, sql, ctx);
    }

    @Override
    public void close(Connection conn, String sql, Statement stmt) throws SQLException {
        String prepared = stmt == null ? null : checkedOut.remove(stmt);
        if (prepared == null || !(stmt instanceof PreparedStatement ps)) {
            plain.close(conn, sql, stmt);
            return;
        }
        checkIn(conn, prepared, ps);
    }

    /** Gives back a statement of {@link #checkOut}, cleared, to be handed out again for {@code sql}. */
    void checkIn(Connection conn, String sql, PreparedStatement ps) {
        try {
            // what the next user must not inherit: bound values and a batch left by a failed execution
            ps.clearParameters();
            ps.clearBatch();
        } catch (SQLException | RuntimeException e) {
            closeQuietly(ps);
            return;
        }
        Idle idle;
        try {
            idle = connections.get(conn.unwrap(driverConnection));
            if (idle == null || ps.isClosed()) {
                closeQuietly(ps);
                return;
            }
        } catch (SQLException e) {
            closeQuietly(ps); // the pool already took the connection back: the statement is not kept
            return;
        }
        synchronized (idle) {
            idle.computeIfAbsent(sql, s -> new ArrayDeque<>(1)).push(ps);
        }
    }

    /** How many statements are idle in the cache for {@code conn}'s physical connection; for tests. */
    int idle(Connection conn) throws SQLException {
        Idle idle = connections.get(conn.unwrap(driverConnection));
        if (idle == null) {
            return 0;
        }
        synchronized (idle) {
            return idle.values().stream().mapToInt(ArrayDeque::size).sum();
        }
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException ignored) {
            // a statement we are discarding: nothing is lost if it does not close cleanly
        }
    }
}
