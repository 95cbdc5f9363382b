package dev.drover.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a bulk load takes off the tables it fills and puts back afterwards, as the migrations made it: the
 * secondary indexes of {@code runs}, {@code events} and {@code run_metadata} (their definitions read from the
 * database's catalogue, so the restored schema is the migrated one whatever migrations exist) and, on SQLite, the
 * trigger that fills {@code runs_search} per row (the loaded runs' search rows are written in one statement, the
 * trigger's own expression). Building an index once over sorted input is several times cheaper than keeping
 * sixteen B-trees up to date across a million random-key inserts; the primary keys and constraints stay, so
 * duplicate ids or dangling references still fail the load.
 */
final class LoadIndexes {
    private static final String TABLES = "('runs', 'events', 'run_metadata')";
    private static final String SEARCH_TRIGGER = "runs_search_insert";

    private final boolean sqlite;
    private final List<String> indexes = new ArrayList<>(); // CREATE INDEX statements
    private String trigger; // SQLite's CREATE TRIGGER runs_search_insert, when present

    private LoadIndexes(boolean sqlite) {
        this.sqlite = sqlite;
    }

    /** Drops the indexes and the search trigger, remembering how to make them again. */
    static LoadIndexes drop(Store store, Connection c) throws SQLException {
        LoadIndexes saved = new LoadIndexes(store instanceof Store.Sqlite);
        List<String> names = new ArrayList<>();
        String catalogue = saved.sqlite
                ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN " + TABLES
                // indexes that back a constraint (primary keys, UNIQUE) stay
                : "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN "
                        + TABLES + " AND indexname NOT IN (SELECT conname FROM pg_constraint)";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(catalogue)) {
            while (rs.next()) {
                names.add(rs.getString(1));
                saved.indexes.add(rs.getString(2));
            }
        }
        if (saved.sqlite) {
            try (PreparedStatement p = c.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")) {
                p.setString(1, SEARCH_TRIGGER);
                try (ResultSet rs = p.executeQuery()) {
                    saved.trigger = rs.next() ? rs.getString(1) : null;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            for (String name : names) {
                s.execute("DROP INDEX " + name);
            }
            if (saved.trigger != null) {
                s.execute("DROP TRIGGER " + SEARCH_TRIGGER);
            }
        }
        return saved;
    }

    int count() {
        return indexes.size();
    }

    /**
     * Makes the indexes again and, on SQLite, the search rows of the runs created with sequences from
     * {@code firstSeq} on (those the trigger did not see), then the trigger.
     */
    void restore(Connection c, long firstSeq) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String ddl : indexes) {
                s.execute(ddl);
            }
        }
        if (trigger != null) {
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO runs_search (run_id, body)
                    SELECT id, title || char(31) || prompt || char(31) || COALESCE(skill_spec, '') FROM runs
                    WHERE created_seq >= ?""")) {
                p.setLong(1, firstSeq);
                p.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute(trigger);
            }
        }
    }
}
