package dev.drover.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The list suite's history: a year of runs spread the way a busy installation's are, written straight with SQL
 * as Drover stores them (a {@code runs} row, its {@code run_queued} event with a sequence from
 * {@code event_counter} bumped in the same transaction, {@code created_seq}/{@code updated_seq} from it, and
 * {@code run_metadata} rows; SQLite's {@code runs_search} rows). The rows go in bulk (JDBC batches on SQLite, COPY on
 * PostgreSQL) with the secondary indexes and the search trigger off, which are then rebuilt from the database's own
 * definitions ({@link LoadIndexes}): a million runs load in minutes rather than the hour row-by-row inserts
 * into sixteen indexes took. 90 % of the runs belong to the caller's team, 10 % to two other teams (so that the
 * tenancy condition has something to exclude); ten creators of uneven weight (one service account makes 0.5 %);
 * the sources, skills, environments, schedules, models and states of {@link #source} and friends below. Every
 * value the queries filter on is counted while loading so that the report can say how many runs each query
 * matches.
 */
final class ListHistory {
    /** Runs per transaction: large enough that commits do not count, small enough to keep COPY's buffers modest. */
    private static final int BATCH = 50_000;
    private static final long DAY_MICROS = 24L * 3600 * 1_000_000;
    /** The history spans the last 365 days, oldest first. */
    private static final long SPAN_MICROS = 365 * DAY_MICROS;

    static final List<String> SOURCES = List.of("API", "CLI", "SCHEDULED_AGENT", "GITHUB_WEBHOOK", "ORCHESTRATION",
            "LOCAL", "SLACK");
    private static final int[] SOURCE_WEIGHTS = {45, 20, 10, 10, 8, 5, 2};
    static final List<String> STATES = List.of("QUEUED", "INPROGRESS", "SUCCEEDED", "FAILED", "ERROR", "CANCELLED",
            "BLOCKED");
    private static final int[] STATE_WEIGHTS = {2, 1, 70, 15, 5, 4, 3};
    /** Creator weights in tenths of a percent; the last one is the rare service account. */
    private static final int[] CREATOR_WEIGHTS = {300, 200, 150, 100, 80, 60, 50, 30, 25, 5};
    static final List<String> MODELS = List.of("claude-4-sonnet", "gpt-5", "gemini-2.5-pro", "auto");
    static final List<String> SKILLS = List.of("deploy", "triage", "review", "release-notes", "upgrade");
    static final int SCHEDULES = 20;

    /** What the queries need: ids and values to filter on, and how many runs of the caller's team match each. */
    record Loaded(int runs, int callerRuns, String teamId, List<String> creators, String rareCreator,
            String searchTerm, String rareTicket, long firstCreatedMicros, double seconds) {}

    private ListHistory() {}

    static Loaded load(Store store, int runs, String adminEmail) {
        long started = System.nanoTime();
        try (HikariDataSource pool = store.pool(Store.DROVER, 1); Connection c = pool.getConnection()) {
            if (store instanceof Store.Sqlite) {
                try (Statement s = c.createStatement()) {
                    // a loader's page cache (400 MB, this connection only): the primary key's random-key inserts
                    // would otherwise re-read pages from the OS cache for every row
                    s.execute("PRAGMA cache_size = -400000");
                }
            }
            String[] admin = admin(c, adminEmail);
            String team = admin[1];
            long now = System.currentTimeMillis() * 1000;
            List<String> creators = creators(c, admin[0], team, now);
            List<String> others = List.of(otherTeam(c, "other-team-1", now), otherTeam(c, "other-team-2", now));
            Random random = new Random(42);
            long first = now - SPAN_MICROS;
            int callerRuns = 0;
            String rareTicket = null;
            c.setAutoCommit(false);
            LoadIndexes indexes = LoadIndexes.drop(store, c);
            c.commit();
            BulkWriter out = BulkWriter.of(store, c);
            long firstSeqOfLoad = -1;
            for (int done = 0; done < runs; ) {
                int n = Math.min(BATCH, runs - done);
                // a chunk is one transaction that reserves its sequences, as n creates would one by one
                long firstSeq = bumpCounter(c, n) - n + 1;
                if (firstSeqOfLoad < 0) {
                    firstSeqOfLoad = firstSeq;
                }
                for (int i = 0; i < n; i++) {
                    long seq = firstSeq + i;
                    long createdAt = first + (done + i) * (SPAN_MICROS / runs);
                    boolean callers = random.nextInt(10) != 0;
                    String owner = callers ? team : others.get(random.nextInt(others.size()));
                    String creator = callers ? creators.get(weighted(random, CREATOR_WEIGHTS)) : admin[0];
                    String id = UUID.randomUUID().toString();
                    String module = RunRows.MODULES.get(random.nextInt(RunRows.MODULES.size()));
                    String title = TASKS.get(random.nextInt(TASKS.size())) + " the " + module + " service";
                    String state = STATES.get(weighted(random, STATE_WEIGHTS));
                    String source = SOURCES.get(weighted(random, SOURCE_WEIGHTS));
                    String configName = "agent-%02d".formatted(random.nextInt(20));
                    String skill = random.nextInt(10) == 0 ? SKILLS.get(random.nextInt(SKILLS.size())) : null;
                    String environment = random.nextInt(3) == 0 ? null : "env" + random.nextInt(5);
                    String schedule = source.equals("SCHEDULED_AGENT")
                            ? "sched-%02d".formatted(random.nextInt(SCHEDULES)) : null;
                    boolean metadata = random.nextInt(10) == 0;
                    String ticket = "ENG-" + (100_000 + done + i);
                    if (callers && metadata && rareTicket == null && done + i >= runs / 2) {
                        rareTicket = ticket; // a run of the middle of the history: one match
                    }
                    // a run takes seconds to an hour; updated_at is when it last changed
                    long updatedAt = createdAt + 1_000_000L * random.nextInt(3600);
                    out.run(new Object[] {id, "Team", owner, creator, title,
                            title + ". Work on a branch, keep the change small, run the module's tests "
                                    + "and open a pull request that explains what changed and why. Ticket " + ticket + ".",
                            state, source, "REMOTE", RunRows.configJson(configName), configName,
                            MODELS.get(random.nextInt(MODELS.size())), environment,
                            skill == null ? null : "acme/skills:" + skill, skill, schedule,
                            UUID.randomUUID().toString(), 0, UUID.randomUUID().toString(), false,
                            metadata ? "{\"module\":\"" + module + "\",\"ticket\":\"" + ticket + "\"}" : null,
                            createdAt, updatedAt, state.equals("QUEUED") ? null : createdAt + 1_000_000, seq, seq});
                    out.event(seq, id, createdAt);
                    if (metadata) {
                        out.metadata(id, "module", module);
                        out.metadata(id, "ticket", ticket);
                    }
                    if (callers) {
                        callerRuns++;
                    }
                }
                out.flush();
                c.commit();
                done += n;
            }
            double rowsSeconds = (System.nanoTime() - started) / 1e9;
            indexes.restore(c, firstSeqOfLoad < 0 ? Long.MAX_VALUE : firstSeqOfLoad);
            c.commit();
            System.out.printf("[list] %d runs written in %.1f s, %d indexes and the search rows rebuilt in %.1f s%n",
                    runs, rowsSeconds, indexes.count(), (System.nanoTime() - started) / 1e9 - rowsSeconds);
            c.setAutoCommit(true);
            if (store instanceof Store.Postgres) {
                awaitTextTerms(c);
                // what autovacuum does within a minute of such a load; the list plans depend on it (SQLite has no
                // statistics unless someone runs ANALYZE, and Drover does not: its plans are measured without)
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE");
                }
            }
            return new Loaded(runs, callerRuns, team, creators, creators.getLast(), "inventory", rareTicket, first,
                    (System.nanoTime() - started) / 1e9);
        } catch (SQLException e) {
            throw new IllegalStateException("bulk load failed", e);
        }
    }

    /**
     * PostgreSQL: the server writes runs' {@code run_text_terms} after their creation, following the event log
     * (RunTextTermsFollower), and a short {@code q} walks while many runs wait for theirs; a history written straight
     * with SQL (or loaded before V29) waits for all of them. Waits until the follower has passed the log's last event,
     * says how long it took, and returns whether it had to wait.
     */
    static boolean awaitTextTerms(Connection c) throws SQLException {
        long started = System.nanoTime();
        boolean waited = false;
        try (Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("""
                        SELECT (SELECT through_seq FROM run_text_terms_progress) >= COALESCE(MAX(sequence), 0)
                        FROM events""")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        break;
                    }
                }
                waited = true;
                Thread.sleep(1000); // the server's own pace; nothing to wait on here but the table
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (waited) {
            System.out.printf("[bench] the server wrote the runs' text terms; waited %.1f s%n",
                    (System.nanoTime() - started) / 1e9);
        }
        return waited;
    }

    /** What {@link #load} returned, read back from a database it loaded earlier (for --list-reuse). */
    static Loaded existing(Store store, String adminEmail) {
        try (HikariDataSource pool = store.pool(Store.DROVER, 1); Connection c = pool.getConnection()) {
            String[] admin = admin(c, adminEmail);
            String team = admin[1];
            long runs = single(c, "SELECT COUNT(*) FROM runs", team);
            long callerRuns = single(c, "SELECT COUNT(*) FROM runs WHERE owner_id = ?", team);
            long first = single(c, "SELECT MIN(created_at) FROM runs", team);
            long firstSeq = single(c, "SELECT MIN(created_seq) FROM runs", team);
            String bot;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM principals WHERE kind = 'service_account' AND display_name = 'nightly-bot'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                bot = rs.getString(1);
            }
            String ticket; // a caller's run of the middle of the history, as load chose it
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT m.value FROM runs r JOIN run_metadata m ON m.run_id = r.id AND m.key = 'ticket'
                    WHERE r.owner_id = ? AND r.created_seq >= ? ORDER BY r.created_seq LIMIT 1""")) {
                ps.setString(1, team);
                ps.setLong(2, firstSeq + runs / 2);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ticket = rs.getString(1);
                }
            }
            if (store instanceof Store.Postgres && awaitTextTerms(c)) {
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE run_text_terms");
                }
            }
            return new Loaded((int) runs, (int) callerRuns, team, List.of(admin[0], bot), bot, "inventory", ticket, first, 0);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the loaded history", e);
        }
    }

    private static long single(Connection c, String sql, String team) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (sql.contains("?")) {
                ps.setString(1, team);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static final List<String> TASKS = List.of("Fix the flaky test in", "Refactor the retry logic of",
            "Upgrade dependencies of", "Add integration tests for", "Investigate slow queries in",
            "Document the public API of", "Remove dead code from", "Speed up the build of",
            "Triage open bugs in", "Add structured logging to", "Review the error handling of",
            "Migrate the configuration of");

    private static int weighted(Random random, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** The admin and nine more members of its team (the last a service account): the runs' creators. */
    private static List<String> creators(Connection c, String adminId, String team, long now) throws SQLException {
        List<String> out = new java.util.ArrayList<>(List.of(adminId));
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO principals (id, kind, display_name, email, is_admin, created_at) VALUES (?, ?, ?, ?, FALSE, ?)");
                PreparedStatement m = c.prepareStatement("INSERT INTO team_members (team_id, principal_id) VALUES (?, ?)")) {
            for (int i = 1; i < CREATOR_WEIGHTS.length; i++) {
                String id = UUID.randomUUID().toString();
                boolean service = i == CREATOR_WEIGHTS.length - 1;
                p.setString(1, id);
                p.setString(2, service ? "service_account" : "user");
                p.setString(3, service ? "nightly-bot" : "Engineer " + i);
                p.setString(4, service ? null : "engineer" + i + "@bench.example");
                p.setLong(5, now);
                p.executeUpdate();
                m.setString(1, team);
                m.setString(2, id);
                m.executeUpdate();
                out.add(id);
            }
        }
        return out;
    }

    private static String otherTeam(Connection c, String name, long now) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement p = c.prepareStatement("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)")) {
            p.setString(1, id);
            p.setString(2, name);
            p.setLong(3, now);
            p.executeUpdate();
        }
        return id;
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
