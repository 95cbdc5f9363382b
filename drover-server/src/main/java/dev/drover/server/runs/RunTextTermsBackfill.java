package dev.drover.server.runs;

import dev.drover.server.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;

/**
 * Writes the {@link RunTextTerms} of the runs created before PostgreSQL's V29: a batch of runs at a time in the
 * order of their ids, from the id that {@code run_text_terms_backfill}'s one row holds, each batch's terms and the
 * row's next id written in one transaction, so a crash loses nothing and repeats nothing. The last batch deletes
 * the row, which is what ShortTextSearch waits for. Every node runs it; the row's lock ({@code SKIP LOCKED}) lets
 * one batch run at a time. A run created since V29 wrote its own terms with it, and is skipped.
 */
public final class RunTextTermsBackfill {
    public static final int BATCH = 2000;

    private final Database db;

    public RunTextTermsBackfill(Database db) {
        this.db = db;
    }

    /** One batch; returns how many runs it read (a whole {@link #BATCH}: more are left). */
    public int pass() {
        return db.write(h -> db.prepared(h, "SELECT after_id FROM run_text_terms_backfill FOR UPDATE SKIP LOCKED",
                cursor -> {
                    String after;
                    try (ResultSet rs = cursor.executeQuery()) {
                        if (!rs.next()) {
                            return 0; // done long ago, or another node's batch is running
                        }
                        after = rs.getString(1);
                    }
                    var c = cursor.getConnection();
                    int read = 0;
                    try (PreparedStatement runs = c.prepareStatement(
                                    "SELECT id, title, prompt, skill_spec FROM runs WHERE id > ? ORDER BY id LIMIT ?");
                            PreparedStatement insert = c.prepareStatement("""
                                    INSERT INTO run_text_terms (run_id, terms) VALUES (?, ?)
                                    ON CONFLICT (run_id) DO NOTHING""")) {
                        runs.setString(1, after);
                        runs.setInt(2, BATCH);
                        try (ResultSet rs = runs.executeQuery()) {
                            while (rs.next()) {
                                after = rs.getString(1);
                                int[] terms = RunTextTerms.of(rs.getString(2), rs.getString(3), rs.getString(4));
                                insert.setString(1, after);
                                insert.setArray(2, c.createArrayOf("integer", Arrays.stream(terms).boxed().toArray()));
                                insert.addBatch();
                                read++;
                            }
                        }
                        insert.executeBatch();
                    }
                    try (PreparedStatement next = c.prepareStatement(read < BATCH
                            ? "DELETE FROM run_text_terms_backfill"
                            : "UPDATE run_text_terms_backfill SET after_id = ?")) {
                        if (read == BATCH) {
                            next.setString(1, after);
                        }
                        next.executeUpdate();
                    }
                    return read;
                }));
    }
}
