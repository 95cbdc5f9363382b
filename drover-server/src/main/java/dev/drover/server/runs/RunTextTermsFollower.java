package dev.drover.server.runs;

import dev.drover.server.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;

/**
 * Writes each run's {@link RunTextTerms} after its creation, following the event log on PostgreSQL (V29): a batch of
 * events at a time from {@code run_text_terms_progress.through_seq}, the terms of the runs they create and the new
 * {@code through_seq} written in one transaction, so a crash loses nothing and repeats nothing. The log's order makes
 * it exact: an event is visible only once every lower one is (events.md), so the runs created at or below
 * {@code through_seq} all have their terms, and ShortTextSearch takes the runs above it as they are. Not in the
 * create's transaction, which holds the event counter: there the terms' index entries cost 15-23 % of the creates per
 * second (docs/benchmarks.md). Every node runs it; the progress row's lock ({@code SKIP LOCKED}) lets one batch run at
 * a time. It also gives the runs created before V29 their terms, from {@code through_seq} 0.
 */
public final class RunTextTermsFollower {
    public static final int BATCH = 2000;

    /**
     * The first {@code limit} events above sequence {@code above}, in the log's order, as {@code e}, each with the run
     * it creates as {@code r} (null columns for an event that creates none): what this follower writes terms for and
     * what ShortTextSearch tests directly while the follower has not got there. Read in the log's order on purpose: a
     * join the planner chose would scan runs. {@code above} is SQL (a parameter, a sub-select).
     */
    static String eventsWithTheRunsTheyCreate(String above, int limit) {
        return "(SELECT sequence, run_id FROM events WHERE sequence > " + above + " ORDER BY sequence LIMIT " + limit
                + ") e LEFT JOIN runs r ON r.id = e.run_id AND r.created_seq = e.sequence";
    }

    private final Database db;

    public RunTextTermsFollower(Database db) {
        this.db = db;
    }

    /** One batch; returns how many events it read (a whole {@link #BATCH}: more are waiting). */
    public int pass() {
        return db.write(h -> db.prepared(h, "SELECT through_seq FROM run_text_terms_progress FOR UPDATE SKIP LOCKED",
                progress -> {
                    long through;
                    try (ResultSet rs = progress.executeQuery()) {
                        if (!rs.next()) {
                            return 0; // another node's batch is running
                        }
                        through = rs.getLong(1);
                    }
                    var c = progress.getConnection();
                    int read = 0;
                    try (PreparedStatement created = c.prepareStatement("SELECT e.sequence, r.id, r.title, r.prompt, "
                                    + "r.skill_spec FROM " + eventsWithTheRunsTheyCreate("?", BATCH) + " ORDER BY e.sequence");
                            // a run that has its terms keeps them: through_seq may be set back to rebuild the table
                            PreparedStatement insert = c.prepareStatement("""
                                    INSERT INTO run_text_terms (run_id, terms) VALUES (?, ?)
                                    ON CONFLICT (run_id) DO NOTHING""")) {
                        created.setLong(1, through);
                        try (ResultSet rs = created.executeQuery()) {
                            while (rs.next()) {
                                through = rs.getLong(1);
                                read++;
                                if (rs.getString(2) == null) {
                                    continue; // not a creation
                                }
                                int[] terms = RunTextTerms.of(rs.getString(3), rs.getString(4), rs.getString(5));
                                insert.setString(1, rs.getString(2));
                                insert.setArray(2, c.createArrayOf("integer", Arrays.stream(terms).boxed().toArray()));
                                insert.addBatch();
                            }
                        }
                        if (read == 0) {
                            return 0;
                        }
                        insert.executeBatch();
                    }
                    try (PreparedStatement next = c.prepareStatement(
                            "UPDATE run_text_terms_progress SET through_seq = ?")) {
                        next.setLong(1, through);
                        next.executeUpdate();
                    }
                    return read;
                }));
    }
}
