package dev.drover.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the claim throughput is compared with, on the same PostgreSQL server as the Drover server under test:
 *
 * <ul>
 *   <li><b>pgbench</b> (Debian's {@code pgbench} binary) running a one-statement script, {@code UPDATE
 *       pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid} in autocommit: one durable
 *       single-row update per transaction, the most a client can commit per second here;
 *   <li><b>a db-scheduler-style poll loop</b>: {@code loops} threads over a plain {@code scheduled_tasks} table (the
 *       columns db-scheduler keeps), each fetching with db-scheduler's PostgreSQL lock-and-fetch ({@code UPDATE …
 *       SET picked = true … WHERE (name, instance) IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING}) and
 *       completing each task as db-scheduler completes a one-time task (a {@code DELETE} fenced on its version).
 *       No HTTP, no events, no lease token: the floor of what a scheduler over one table costs.
 * </ul>
 */
final class PgBaselines {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private PgBaselines() {}

    /** pgbench's single-row-update transactions per second with {@code clients} clients for {@code duration}. */
    static double pgbench(Store.Postgres store, int clients, Duration duration, Path dir) throws Exception {
        store.createDatabase("pgbench");
        Path script = dir.resolve("single-row-update.sql");
        Files.writeString(script, """
                \\set aid random(1, 100000 * :scale)
                \\set delta random(-5000, 5000)
                UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
                """);
        List<String> conn = List.of("-h", "127.0.0.1", "-p", String.valueOf(store.port()), "-U", "postgres");
        List<String> init = new ArrayList<>(List.of("pgbench", "-i", "-q", "-s", "1"));
        init.addAll(conn);
        init.add("pgbench");
        run(init, dir.resolve("pgbench-init.log"));
        List<String> bench = new ArrayList<>(List.of("pgbench", "-n", "-s", "1", "-c", String.valueOf(clients),
                "-j", String.valueOf(Math.min(clients, Runtime.getRuntime().availableProcessors())),
                "-T", String.valueOf(Math.max(1, duration.toSeconds())), "-f", script.toAbsolutePath().toString()));
        bench.addAll(conn);
        bench.add("pgbench");
        return tps(bench, dir.resolve("pgbench.log"));
    }

    /** Runs pgbench's {@code command}, its output written to {@code log}, and reads its transactions per second. */
    private static double tps(List<String> command, Path log) throws Exception {
        Matcher m = TPS.matcher(run(command, log));
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench's output (" + log + ")");
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * Drover's own claim path as SQL, run by pgbench on Drover's schema (the migrated {@code raw} database) with no
     * Drover server: per run, the three transactions a claimed and completed run needs (the claim, its start, its
     * success), each a compare-and-set of the run's row and its events appended as {@code EventLog} appends one
     * outside a batch (the counter bumped, the event inserted and the run stamped in one statement). What is left
     * out is everything but the state machine and the log: HTTP, authentication, the lease token, the claimed run's
     * read-back, group commit, the NOTIFY each node sends after its commits (one for many). So this is the ceiling
     * of claim + complete for this schema and this durability (a commit per step), whatever the server does: runs per
     * second, {@code clients} pgbench clients draining {@code runs} QUEUED runs.
     */
    static double droverStatements(Store.Postgres store, int clients, int runs, Path dir) throws Exception {
        int perClient = Math.max(1, runs / clients);
        store.migrate(Store.RAW);
        try (HikariDataSource pool = store.pool(Store.RAW, 1); Connection c = pool.getConnection()) {
            RunRows.Owner owner = RunRows.insertOwner(c);
            long now = System.currentTimeMillis() * 1000;
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement(RunRows.INSERT)) {
                for (int i = 0; i < perClient * clients; i++) {
                    RunRows.bindQueued(ins, owner.teamId(), owner.userId(), now + i);
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE runs");
            }
        }
        // now(): one clock reading per transaction, as Drover stamps a transition and its events with one instant
        String at = "(extract(epoch FROM now()) * 1000000)::bigint";
        String append = """
                WITH c AS (UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value),
                e AS (INSERT INTO events (sequence, run_id, event_type, ref_id, execution_id, occurred_at)
                      SELECT value, :rid, '%s', NULL, :rid, %s FROM c),
                r AS (UPDATE runs SET updated_at = %s, updated_seq = c.value FROM c WHERE runs.id = :rid)
                SELECT value FROM c;
                """;
        Path script = dir.resolve("drover-statements.sql");
        Files.writeString(script, "BEGIN;\n"
                + "SELECT id AS rid FROM runs WHERE pool = 'default' AND state = 'QUEUED' AND execution_location = 'REMOTE'"
                + " ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED \\gset\n"
                + "UPDATE runs SET state = 'CLAIMED', worker_id = NULL, lease_expires_at = " + at + " + 60000000,"
                + " attempts = attempts + 1, sandbox_running = TRUE, updated_at = " + at
                + " WHERE id = :rid AND state = 'QUEUED';\n"
                + append.formatted("run_pending", at, at).replace("\n", " ").strip() + "\n"
                + append.formatted("run_claimed", at, at).replace("\n", " ").strip() + "\n"
                + "COMMIT;\n"
                + "BEGIN;\n"
                + "UPDATE runs SET state = 'INPROGRESS', started_at = COALESCE(started_at, " + at + ")"
                + " WHERE id = :rid AND state = 'CLAIMED';\n"
                + append.formatted("run_in_progress", at, at).replace("\n", " ").strip() + "\n"
                + "COMMIT;\n"
                + "BEGIN;\n"
                + "UPDATE runs SET state = 'SUCCEEDED', lease_expires_at = NULL, cancel_requested = FALSE"
                + " WHERE id = :rid AND state = 'INPROGRESS';\n"
                + append.formatted("run_succeeded", at, at).replace("\n", " ").strip() + "\n"
                + "COMMIT;\n");
        List<String> bench = new ArrayList<>(List.of("pgbench", "-n", "-M", "prepared", "-c", String.valueOf(clients),
                "-j", String.valueOf(Math.min(clients, Runtime.getRuntime().availableProcessors())),
                "-t", String.valueOf(perClient), "-f", script.toAbsolutePath().toString(),
                "-h", "127.0.0.1", "-p", String.valueOf(store.port()), "-U", "postgres", Store.RAW));
        double runsPerSecond = tps(bench, dir.resolve("drover-statements.log"));
        try (HikariDataSource pool = store.pool(Store.RAW, 1); Connection c = pool.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FILTER (WHERE state = 'SUCCEEDED'), "
                        + "(SELECT COUNT(*) FROM events) FROM runs")) {
            rs.next();
            if (rs.getLong(1) != (long) perClient * clients || rs.getLong(2) != 4L * perClient * clients) {
                throw new IllegalStateException("pgbench left " + rs.getLong(1) + " runs succeeded and " + rs.getLong(2)
                        + " events of " + perClient * clients + " runs");
            }
        }
        return runsPerSecond;
    }

    /** pgbench's version line, for the report. */
    static String pgbenchVersion() {
        try {
            Process p = new ProcessBuilder("pgbench", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return v;
        } catch (IOException e) {
            throw new IllegalStateException("pgbench is not installed (apt-get install postgresql-client)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed; see " + log);
        }
        return Files.readString(log);
    }

    /** Tasks claimed and completed per second by a db-scheduler-style poll loop draining {@code tasks} tasks. */
    static ClaimsBench.Throughput pollLoop(Store store, int loops, int batch, int tasks) throws Exception {
        try (HikariDataSource pool = store.pool(Store.RAW, loops + 1)) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS scheduled_tasks");
                // db-scheduler's PostgreSQL table (its tables.sql), minus nothing the loop touches
                s.execute("""
                        CREATE TABLE scheduled_tasks (
                          task_name TEXT NOT NULL, task_instance TEXT NOT NULL, task_data BYTEA,
                          execution_time TIMESTAMPTZ NOT NULL, picked BOOLEAN NOT NULL, picked_by TEXT,
                          last_success TIMESTAMPTZ, last_failure TIMESTAMPTZ, consecutive_failures INT,
                          last_heartbeat TIMESTAMPTZ, version BIGINT NOT NULL, priority SMALLINT,
                          PRIMARY KEY (task_name, task_instance))""");
                s.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
                s.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
                s.execute("CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)");
                c.setAutoCommit(false);
                try (PreparedStatement ins = c.prepareStatement("""
                        INSERT INTO scheduled_tasks (task_name, task_instance, task_data, execution_time, picked, version,
                                                     priority)
                        VALUES ('bench-task', ?, ?, ?, FALSE, 1, 0)""")) {
                    long now = System.currentTimeMillis();
                    for (int i = 0; i < tasks; i++) {
                        ins.setString(1, "instance-" + i);
                        ins.setBytes(2, ("{\"prompt\":\"claims benchmark " + i + "\"}").getBytes(StandardCharsets.UTF_8));
                        ins.setTimestamp(3, new Timestamp(now - tasks + i)); // due now, in creation order
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
                c.commit();
                c.setAutoCommit(true);
                s.execute("ANALYZE scheduled_tasks");
            }
            AtomicLong done = new AtomicLong();
            long start = System.nanoTime();
            try (ExecutorService threads = Executors.newFixedThreadPool(loops)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < loops; t++) {
                    String me = "bench-scheduler-" + t;
                    futures.add(threads.submit(() -> {
                        try (Connection c = pool.getConnection();
                                PreparedStatement fetch = c.prepareStatement("""
                                        UPDATE scheduled_tasks st1 SET picked = TRUE, picked_by = ?,
                                               last_heartbeat = now(), version = version + 1
                                        WHERE (st1.task_name, st1.task_instance) IN (
                                          SELECT st2.task_name, st2.task_instance FROM scheduled_tasks st2
                                          WHERE picked = FALSE AND execution_time <= now()
                                          ORDER BY priority DESC, execution_time ASC
                                          FOR UPDATE SKIP LOCKED LIMIT ?)
                                        RETURNING st1.task_name, st1.task_instance, st1.version, st1.task_data""");
                                PreparedStatement complete = c.prepareStatement("""
                                        DELETE FROM scheduled_tasks
                                        WHERE task_name = ? AND task_instance = ? AND version = ?""")) {
                            fetch.setString(1, me);
                            fetch.setInt(2, batch);
                            while (true) {
                                List<Object[]> picked = new ArrayList<>();
                                try (ResultSet rs = fetch.executeQuery()) {
                                    while (rs.next()) {
                                        picked.add(new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)});
                                    }
                                }
                                if (picked.isEmpty()) {
                                    return null;
                                }
                                for (Object[] task : picked) {
                                    complete.setString(1, (String) task[0]);
                                    complete.setString(2, (String) task[1]);
                                    complete.setLong(3, (Long) task[2]);
                                    if (complete.executeUpdate() != 1) {
                                        throw new IllegalStateException("task " + task[1] + " was completed twice");
                                    }
                                    done.incrementAndGet();
                                }
                            }
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (done.get() != tasks) {
                throw new IllegalStateException("the poll loop completed " + done.get() + " of " + tasks + " tasks");
            }
            return new ClaimsBench.Throughput(loops, done.get(), seconds);
        }
    }
}
