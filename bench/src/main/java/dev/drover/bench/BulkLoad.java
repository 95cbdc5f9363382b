package dev.drover.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * Fills Drover's database with a history of runs for the list benchmark, straight through SQL (creating 100k
 * runs through the API would take minutes and measure nothing new). Every run is stored the way Drover stores
 * it: a {@code runs} row, its {@code run_queued} event with a sequence taken from {@code event_counter}
 * (bumped in the same transaction, as {@code EventLog.append} does), {@code created_seq}/{@code updated_seq}
 * set to that sequence, and {@code run_metadata} rows for the runs with metadata.
 */
final class BulkLoad {
    private static final int BATCH = 5_000;
    /** The history spans the last 30 days, oldest first. */
    private static final long SPAN_MICROS = 30L * 24 * 3600 * 1_000_000;

    /** What the list queries need to know about the loaded history: an admin-visible filter and search term. */
    record Loaded(int runs, String teamId, int failedOfConfig07, String searchTerm, int searchMatches,
            String metadataModule, int metadataMatches, double seconds) {}

    private BulkLoad() {}

    static Loaded load(Store store, int runs, String adminEmail) {
        long started = System.nanoTime();
        try (HikariDataSource pool = store.pool(Store.DROVER, 1); Connection c = pool.getConnection()) {
            String[] admin = admin(c, adminEmail);
            Random random = new Random(42);
            String searchTerm = RunRows.MODULES.get(7);
            int failedOf07 = 0;
            int searchMatches = 0;
            int metadataMatches = 0;
            long now = System.currentTimeMillis() * 1000;
            long first = now - SPAN_MICROS;
            c.setAutoCommit(false);
            for (int done = 0; done < runs; ) {
                int n = Math.min(BATCH, runs - done);
                long lastSeq = bumpCounter(c, n);
                long firstSeq = lastSeq - n + 1;
                try (PreparedStatement run = c.prepareStatement(RunRows.INSERT);
                        PreparedStatement event = c.prepareStatement("""
                                INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                                VALUES (?, ?, 'run_queued', NULL, NULL, ?)""");
                        PreparedStatement meta = c.prepareStatement(
                                "INSERT INTO run_metadata (run_id, key, value) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < n; i++) {
                        long seq = firstSeq + i;
                        long createdAt = first + (done + i) * (SPAN_MICROS / runs);
                        RunRows.Generated g = RunRows.bindHistoric(run, random, admin[1], admin[0], createdAt, seq);
                        run.addBatch();
                        event.setLong(1, seq);
                        event.setString(2, g.id());
                        event.setLong(3, createdAt);
                        event.addBatch();
                        if (g.hasMetadata()) {
                            for (String[] kv : new String[][] {{"module", g.module()}, {"ticket", g.ticket()}}) {
                                meta.setString(1, g.id());
                                meta.setString(2, kv[0]);
                                meta.setString(3, kv[1]);
                                meta.addBatch();
                            }
                            if (g.module().equals(searchTerm)) {
                                metadataMatches++;
                            }
                        }
                        if (g.state().equals("FAILED") && g.configName().equals("agent-07")) {
                            failedOf07++;
                        }
                        if (g.title().contains(searchTerm)) {
                            searchMatches++;
                        }
                    }
                    run.executeBatch();
                    event.executeBatch();
                    meta.executeBatch();
                }
                c.commit();
                done += n;
            }
            c.setAutoCommit(true);
            if (store instanceof Store.Postgres) {
                ListHistory.awaitTextTerms(c);
                // what autovacuum does within a minute of such a load; the list plans depend on it
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE");
                }
            }
            return new Loaded(runs, admin[1], failedOf07, searchTerm, searchMatches, searchTerm, metadataMatches,
                    (System.nanoTime() - started) / 1e9);
        } catch (SQLException e) {
            throw new IllegalStateException("bulk load failed", e);
        }
    }

    /** The bootstrap admin's principal id and (only) team id. */
    private static String[] admin(Connection c, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT p.id, m.team_id FROM principals p JOIN team_members m ON m.principal_id = p.id
                WHERE p.email = ?""")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no bootstrap admin " + email + " in the database");
                }
                return new String[] {rs.getString(1), rs.getString(2)};
            }
        }
    }

    /** Reserves {@code n} sequences; the counter row stays locked until this batch commits. */
    private static long bumpCounter(Connection c, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE event_counter SET value = value + ? WHERE id = 1 RETURNING value")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
