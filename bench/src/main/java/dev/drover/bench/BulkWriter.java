package dev.drover.bench;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes the list history's rows in bulk, the fastest way each database takes them: prepared-statement batches on
 * SQLite (one writer, in-process: a batch is a loop of steps without round trips), {@code COPY … FROM STDIN} on
 * PostgreSQL (one round trip per table and chunk instead of one per row). The columns are exactly those of
 * {@link #RUN_COLUMNS}, {@code events} and {@code run_metadata}; everything else takes the tables' defaults, as a
 * create through the server does.
 */
abstract sealed class BulkWriter {
    static final List<String> RUN_COLUMNS = List.of("id", "owner_type", "owner_id", "creator_id", "title", "prompt",
            "state", "source", "execution_location", "config_json", "config_name", "model_id", "environment_id",
            "skill_spec", "skill_name", "schedule_id", "conversation_id", "depth", "session_id", "interactive",
            "metadata_json", "created_at", "updated_at", "started_at", "created_seq", "updated_seq");

    static BulkWriter of(Store store, Connection c) throws SQLException {
        return store instanceof Store.Postgres ? new PostgresCopy(c) : new SqliteBatches(c);
    }

    /** One run's values in {@link #RUN_COLUMNS} order (Strings, Longs, Integers, Booleans or null). */
    abstract void run(Object[] values) throws SQLException;

    abstract void event(long sequence, String runId, long occurredAt) throws SQLException;

    abstract void metadata(String runId, String key, String value) throws SQLException;

    /** Writes what was added since the last flush, inside the caller's transaction. */
    abstract void flush() throws SQLException;

    static final class SqliteBatches extends BulkWriter {
        private final PreparedStatement runs;
        private final PreparedStatement events;
        private final PreparedStatement meta;

        SqliteBatches(Connection c) throws SQLException {
            runs = c.prepareStatement("INSERT INTO runs (" + String.join(", ", RUN_COLUMNS) + ") VALUES ("
                    + String.join(", ", java.util.Collections.nCopies(RUN_COLUMNS.size(), "?")) + ")");
            events = c.prepareStatement("""
                    INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                    VALUES (?, ?, 'run_queued', NULL, NULL, ?)""");
            meta = c.prepareStatement("INSERT INTO run_metadata (run_id, key, value) VALUES (?, ?, ?)");
        }

        @Override
        void run(Object[] values) throws SQLException {
            for (int i = 0; i < values.length; i++) {
                runs.setObject(i + 1, values[i]);
            }
            runs.addBatch();
        }

        @Override
        void event(long sequence, String runId, long occurredAt) throws SQLException {
            events.setLong(1, sequence);
            events.setString(2, runId);
            events.setLong(3, occurredAt);
            events.addBatch();
        }

        @Override
        void metadata(String runId, String key, String value) throws SQLException {
            meta.setString(1, runId);
            meta.setString(2, key);
            meta.setString(3, value);
            meta.addBatch();
        }

        @Override
        void flush() throws SQLException {
            runs.executeBatch();
            events.executeBatch();
            meta.executeBatch();
        }
    }

    static final class PostgresCopy extends BulkWriter {
        private final CopyManager copy;
        private final StringBuilder runs = new StringBuilder();
        private final StringBuilder events = new StringBuilder();
        private final StringBuilder meta = new StringBuilder();

        PostgresCopy(Connection c) throws SQLException {
            copy = c.unwrap(PGConnection.class).getCopyAPI();
        }

        @Override
        void run(Object[] values) {
            line(runs, values);
        }

        @Override
        void event(long sequence, String runId, long occurredAt) {
            line(events, new Object[] {sequence, runId, "run_queued", occurredAt});
        }

        @Override
        void metadata(String runId, String key, String value) {
            line(meta, new Object[] {runId, key, value});
        }

        @Override
        void flush() throws SQLException {
            copyIn("runs (" + String.join(", ", RUN_COLUMNS) + ")", runs);
            copyIn("events (sequence, run_id, event_type, occurred_at)", events);
            copyIn("run_metadata (run_id, key, value)", meta);
        }

        private void copyIn(String table, StringBuilder rows) throws SQLException {
            if (rows.isEmpty()) {
                return;
            }
            try {
                copy.copyIn("COPY " + table + " FROM STDIN", new StringReader(rows.toString()));
            } catch (IOException e) {
                throw new SQLException("COPY " + table + " failed", e);
            }
            rows.setLength(0);
        }

        /** One row of COPY's text format: tab-separated, {@code \N} for null, backslash escapes. */
        private static void line(StringBuilder out, Object[] values) {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.append('\t');
                }
                Object v = values[i];
                if (v == null) {
                    out.append("\\N");
                    continue;
                }
                String s = v.toString();
                for (int j = 0; j < s.length(); j++) {
                    char ch = s.charAt(j);
                    switch (ch) {
                        case '\\' -> out.append("\\\\");
                        case '\t' -> out.append("\\t");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        default -> out.append(ch);
                    }
                }
            }
            out.append('\n');
        }
    }
}
