package dev.drover.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The list suite's history: a year of runs spread the way a busy installation's are, written straight with SQL
 * as Drover stores them (a {@code runs} row, its {@code run_queued} event with a sequence from
 * {@code event_counter} bumped in the same transaction, {@code created_seq}/{@code updated_seq} from it, and
 * {@code run_metadata} rows). 90 % of the runs belong to the caller's team, 10 % to two other teams (so that the
 * tenancy condition has something to exclude); ten creators of uneven weight (one service account makes 0.5 %);
 * the sources, skills, environments, schedules, models and states of {@link #source} and friends below. Every
 * value the queries filter on is counted while loading so that the report can say how many runs each query
 * matches.
 */
final class ListHistory {
    private static final int BATCH = 10_000;
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

    private static final String INSERT = """
            INSERT INTO runs (id, owner_type, owner_id, creator_id, title, prompt, state, source, execution_location,
                config_json, config_name, model_id, environment_id, skill_spec, skill_name, schedule_id, conversation_id,
                depth, session_id, interactive, metadata_json, created_at, updated_at, started_at, created_seq,
                updated_seq)
            VALUES (?, 'Team', ?, ?, ?, ?, ?, ?, 'REMOTE', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, FALSE, ?, ?, ?, ?, ?, ?)""";

    static Loaded load(Store store, int runs, String adminEmail) {
        long started = System.nanoTime();
        try (HikariDataSource pool = store.pool(Store.DROVER, 1); Connection c = pool.getConnection()) {
            if (store instanceof Store.Sqlite) {
                try (Statement s = c.createStatement()) {
                    // a loader's page cache (400 MB, this connection only): the load's random-key index inserts
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
            for (int done = 0; done < runs; ) {
                int n = Math.min(BATCH, runs - done);
                long firstSeq = bumpCounter(c, n) - n + 1;
                try (PreparedStatement run = c.prepareStatement(INSERT);
                        PreparedStatement event = c.prepareStatement("""
                                INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                                VALUES (?, ?, 'run_queued', NULL, NULL, ?)""");
                        PreparedStatement meta = c.prepareStatement(
                                "INSERT INTO run_metadata (run_id, key, value) VALUES (?, ?, ?)")) {
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
                        int p = 1;
                        run.setString(p++, id);
                        run.setString(p++, owner);
                        run.setString(p++, creator);
                        run.setString(p++, title);
                        run.setString(p++, title + ". Work on a branch, keep the change small, run the module's tests "
                                + "and open a pull request that explains what changed and why. Ticket " + ticket + ".");
                        run.setString(p++, state);
                        run.setString(p++, source);
                        run.setString(p++, RunRows.configJson(configName));
                        run.setString(p++, configName);
                        run.setString(p++, MODELS.get(random.nextInt(MODELS.size())));
                        run.setString(p++, environment);
                        run.setString(p++, skill == null ? null : "acme/skills:" + skill);
                        run.setString(p++, skill);
                        run.setString(p++, schedule);
                        run.setString(p++, UUID.randomUUID().toString());
                        run.setString(p++, UUID.randomUUID().toString());
                        run.setString(p++, metadata ? "{\"module\":\"" + module + "\",\"ticket\":\"" + ticket + "\"}" : null);
                        run.setLong(p++, createdAt);
                        run.setLong(p++, updatedAt);
                        if (state.equals("QUEUED")) {
                            run.setNull(p++, Types.BIGINT);
                        } else {
                            run.setLong(p++, createdAt + 1_000_000);
                        }
                        run.setLong(p++, seq);
                        run.setLong(p, seq);
                        run.addBatch();
                        event.setLong(1, seq);
                        event.setString(2, id);
                        event.setLong(3, createdAt);
                        event.addBatch();
                        if (metadata) {
                            for (String[] kv : new String[][] {{"module", module}, {"ticket", ticket}}) {
                                meta.setString(1, id);
                                meta.setString(2, kv[0]);
                                meta.setString(3, kv[1]);
                                meta.addBatch();
                            }
                        }
                        if (callers) {
                            callerRuns++;
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
