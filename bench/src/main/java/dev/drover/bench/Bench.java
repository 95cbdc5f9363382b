package dev.drover.bench;

import dev.drover.api.Json;
import dev.drover.server.auth.Bootstrap;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drover's load harness. For each database kind, in this order and in one run: a Helidon hello-world under wrk
 * (the ceiling for reads), a raw JDBC insert loop (the ceiling for writes), then a real Drover server in its own
 * JVM: 100k runs bulk-loaded and the list latencies measured, then {@code GET /agent/runs/{id}}, a page of
 * {@code GET /agent/runs}, a poll of {@code GET /agent/events} and {@code POST /agent/runs} under wrk. Prints a
 * markdown report and, with {@code --doc}, writes it into {@code docs/benchmarks.md}. Run it through
 * {@code bench/run.sh}.
 */
@Command(name = "bench/run.sh", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Drover's load and latency benchmark; see docs/benchmarks.md.")
public final class Bench implements Callable<Integer> {
    static final String ADMIN_KEY = "drv_benchAdminKey00000000000000000000000000000";

    enum Db { sqlite, postgres, both }

    enum Suite { http, creates, dispatch, skills, web, watchers, claims, startup, list, all }

    @Option(names = "--suite", defaultValue = "all", description = "http (reads, creates, lists), dispatch (worker "
            + "dispatch latency and runs/s), creates (POST /agent/runs against raw inserts, on PostgreSQL with one and two "
            + "server nodes; not part of all), skills (GET /agent over many repositories), watchers (many SSE streams "
            + "woken by events), claims (create → CLAIMED, and claim + complete throughput against pgbench and a "
            + "db-scheduler-style poll loop), startup (./drover serve: start-to-ready, CPU and RSS, with and without "
            + "the AOT cache), web (the dashboard's runs page in headless chromium; not part of all), list "
            + "(GET /agent/runs over --list-runs runs, default 1,000,000 there, every filter and sort; not part of all) "
            + "or all (default: ${DEFAULT-VALUE})")
    Suite suite;

    @Option(names = "--db", defaultValue = "both", description = "sqlite, postgres or both (default: ${DEFAULT-VALUE})")
    Db db;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "length of each throughput measurement, e.g. 10s, 1m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "<warmup>", converter = DurationConverter.class,
            description = "unreported load before each throughput measurement (default: 5s; 30s for --suite "
                    + "creates, whose figures are of freshly started JVMs: after 5 s the JIT was still compiling "
                    + "on half of the server's CPU, docs/benchmarks.md)")
    Duration warmupOption;
    Duration warmup;

    @Option(names = "--connections", defaultValue = "64",
            description = "wrk connections, and threads of the raw insert loop (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--threads", description = "wrk threads (default: the number of processors)")
    Integer threads;

    @Option(names = "--list-runs", description = "runs bulk-loaded before the list latencies are measured "
            + "(default: 1000000 for --suite list, 100000 otherwise)")
    Integer listRunsOption;

    int listRuns;

    @Option(names = "--list-samples", defaultValue = "200",
            description = "timed requests per list query (default: ${DEFAULT-VALUE})")
    int listSamples;

    @Option(names = "--list-reuse", description = "the list suite: measure the history already loaded in --work-dir "
            + "(by a run with --keep-databases) instead of loading one; the server migrates it as an upgrade would")
    boolean listReuse;

    @Option(names = "--list-queries", description = "only the list queries whose label matches this regular expression")
    java.util.regex.Pattern listQueries;

    @Option(names = "--pages-deep", defaultValue = "50",
            description = "which page the cursor-paging latency is taken at (default: ${DEFAULT-VALUE})")
    int pagesDeep;

    @Option(names = "--dispatch-samples", defaultValue = "200",
            description = "runs timed one at a time for the dispatch latency (default: ${DEFAULT-VALUE})")
    int dispatchSamples;

    @Option(names = "--dispatch-runs", defaultValue = "300",
            description = "runs created at once per throughput measurement (default: ${DEFAULT-VALUE})")
    int dispatchRuns;

    @Option(names = "--slots", split = ",", defaultValue = "1,2,4,8",
            description = "worker slot counts the throughput is measured with (default: ${DEFAULT-VALUE})")
    List<Integer> slots;

    @Option(names = "--isolation", description = "the dispatch suite's worker isolation: container, bubblewrap or none "
            + "(default: the worker's own default)")
    String isolation;

    @Option(names = "--default-image", description = "the dispatch suite's container image (with --isolation container)")
    String defaultImage;

    @Option(names = "--skill-repos", defaultValue = "256",
            description = "repositories the skills listing is measured over (default: ${DEFAULT-VALUE})")
    int skillRepos;

    @Option(names = "--watchers", split = ",", defaultValue = "1000,10000",
            description = "watcher counts of the watchers suite, each against a fresh server (default: ${DEFAULT-VALUE})")
    List<Integer> watchers;

    @Option(names = "--watch-long-polls", defaultValue = "0.5",
            description = "share of the watchers that long-poll (GET /agent/events?wait=60) instead of streaming SSE (default: ${DEFAULT-VALUE})")
    double watchLongPolls;

    @Option(names = "--watch-runs", defaultValue = "100",
            description = "runs the watchers' streams are spread over; one event is reported per run (default: ${DEFAULT-VALUE})")
    int watchRuns;

    @Option(names = "--watch-spacing", defaultValue = "100ms", converter = DurationConverter.class,
            description = "pause between two reported events of the watchers suite (default: ${DEFAULT-VALUE})")
    Duration watchSpacing;

    @Option(names = "--claim-samples", defaultValue = "200",
            description = "runs timed one at a time for create → CLAIMED in the claims suite (default: ${DEFAULT-VALUE})")
    int claimSamples;

    @Option(names = "--claim-loops", defaultValue = "8",
            description = "concurrent worker loops of the claims suite, and pgbench's clients and the poll loop's threads (default: ${DEFAULT-VALUE})")
    int claimLoops;

    @Option(names = "--claim-runs", defaultValue = "3000",
            description = "QUEUED runs the claims suite's worker loops drain (default: ${DEFAULT-VALUE})")
    int claimRuns;

    @Option(names = "--poll-tasks", defaultValue = "30000",
            description = "tasks the db-scheduler-style poll loop drains (default: ${DEFAULT-VALUE})")
    int pollTasks;

    @Option(names = "--poll-batch", split = ",", defaultValue = "1,16",
            description = "the poll loop's fetch sizes (LIMIT n), one figure each (default: ${DEFAULT-VALUE})")
    List<Integer> pollBatch;
    @Option(names = "--starts", defaultValue = "5",
            description = "timed starts of ./drover serve per mode in the startup suite (default: ${DEFAULT-VALUE})")
    int starts;

    @Option(names = "--work-dir", description = "databases, logs and wrk output (default: bench/runs/<time>, kept across builds)")
    Path workDir;

    @Option(names = "--doc", description = "write the results into this markdown file (bench/run.sh passes docs/benchmarks.md; give another to keep it)")
    Path doc;

    @Option(names = "--note", description = "a remark printed above the results, e.g. \"preliminary: other builds running\"")
    String note;

    @Option(names = "--keep-databases", description = "keep the databases in the work directory (they take a few hundred MB)")
    boolean keepDatabases;

    @Option(names = "--jfr", description = "record a JFR profile of each Drover server JVM into the work directory")
    boolean jfr;

    @Option(names = "--pg-statements", description = "claims and creates suites, PostgreSQL: load pg_stat_statements "
            + "and write what each statement cost per run (calls, execution and planning ms) to statements.tsv in the "
            + "work directory, the costliest printed")
    boolean pgStatements;

    @Option(names = "--node-cpus", description = "creates suite: hold each Drover node to this many CPUs (e.g. 0.25) "
            + "by a cgroup of its own, so that a node, not the shared machine, bounds it, as a node on a machine of its "
            + "own would be; needs root")
    Double nodeCpus;

    @Option(names = "--server-jvm-args", split = " ", description = "extra JVM options for the Drover server and the hello-world")
    List<String> serverJvmArgs = new ArrayList<>();

    private static final int LIST_WARMUP = 20;
    private static final Duration WARMUP = Duration.ofSeconds(5);
    /**
     * Creates compare a freshly started server with a raw loop: on two cores C2 still compiled on 0.55 of a core
     * in the window after a 5 s warm-up (JFR, 2026-12-03), and PostgreSQL's creates ÷ raw read 0.18–0.22 against
     * 0.32–0.57 after 30–40 s. A node runs for days; its steady state is the figure.
     */
    private static final Duration CREATES_WARMUP = Duration.ofSeconds(30);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).setCaseInsensitiveEnumValuesAllowed(true).setOverwrittenOptionsAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        int wrkThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (workDir == null) {
            workDir = Path.of("bench", "runs",
                    started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        Files.createDirectories(workDir);
        listRuns = listRunsOption != null ? listRunsOption : suite == Suite.list ? 1_000_000 : 100_000;
        warmup = warmupOption != null ? warmupOption : suite == Suite.creates ? CREATES_WARMUP : WARMUP;
        Machine machine = Machine.describe();
        String loadBefore = Machine.loadAverage();
        List<String> kinds = db == Db.both ? List.of("sqlite", "postgres") : List.of(db.name());
        String command = System.getenv().getOrDefault("BENCH_COMMAND", "bench/run.sh");
        String date = started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        if (suite == Suite.http || suite == Suite.all) {
            List<Report.DbResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measure(kind, wrkThreads));
            }
            Report.Setup setup = new Report.Setup(date, command, machine, wrkThreads, connections,
                    duration.toSeconds(), warmup.toSeconds(), listSamples, LIST_WARMUP, loadBefore,
                    Machine.loadAverage(), note);
            publish("results.md", Report.markdown(setup, results), Report.BEGIN, Report.END);
        }
        if (suite == Suite.creates) {
            String createsLoadBefore = Machine.loadAverage();
            List<Report.CreatesResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measureCreates(kind, wrkThreads));
            }
            publish("creates.md", Report.createsMarkdown(date, command, machine, createsLoadBefore,
                    Machine.loadAverage(), note, connections, duration.toSeconds(), warmup.toSeconds(), results),
                    Report.CREATES_BEGIN, Report.CREATES_END);
        }
        if (suite == Suite.skills || suite == Suite.all) {
            String skillsLoadBefore = Machine.loadAverage();
            List<Report.SkillsResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measureSkills(kind));
            }
            publish("skills.md", Report.skillsMarkdown(date, command, machine, skillsLoadBefore, Machine.loadAverage(),
                    note, results), Report.SKILLS_BEGIN, Report.SKILLS_END);
        }
        if (suite == Suite.dispatch || suite == Suite.all) {
            String dispatchLoadBefore = Machine.loadAverage();
            List<Report.DispatchResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measureDispatch(kind));
            }
            publish("dispatch.md", Report.dispatchMarkdown(date, command, machine, dispatchLoadBefore,
                    Machine.loadAverage(), note, results), Report.DISPATCH_BEGIN, Report.DISPATCH_END);
        }
        if (suite == Suite.watchers || suite == Suite.all) {
            String watchLoadBefore = Machine.loadAverage();
            List<Report.WatchersResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.addAll(measureWatchers(kind));
            }
            publish("watchers.md", Report.watchersMarkdown(date, command, machine, watchLoadBefore,
                    Machine.loadAverage(), note, serverJvmArgs, results), Report.WATCHERS_BEGIN, Report.WATCHERS_END);
        }
        if (suite == Suite.claims || suite == Suite.all) {
            String claimsLoadBefore = Machine.loadAverage();
            List<Report.ClaimsResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measureClaims(kind));
            }
            String pgbench = kinds.contains("postgres") ? PgBaselines.pgbenchVersion() : null;
            publish("claims.md", Report.claimsMarkdown(date, command, machine, claimsLoadBefore, Machine.loadAverage(),
                    note, pgbench, claimLoops, results), Report.CLAIMS_BEGIN, Report.CLAIMS_END);
        }
        if (suite == Suite.startup || suite == Suite.all) {
            String startupLoadBefore = Machine.loadAverage();
            List<Report.StartupResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.addAll(measureStartup(kind));
            }
            publish("startup.md", Report.startupMarkdown(date, command, machine, startupLoadBefore,
                    Machine.loadAverage(), note, starts, duration, results), Report.STARTUP_BEGIN, Report.STARTUP_END);
        }
        if (suite == Suite.web) {
            String webLoadBefore = Machine.loadAverage();
            List<Report.WebResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measureWeb(kind));
            }
            publish("web.md", Report.webMarkdown(date, command, machine, webLoadBefore, Machine.loadAverage(), note,
                    listRuns, listSamples, results), Report.WEB_BEGIN, Report.WEB_END);
        }
        if (suite == Suite.list) {
            String listLoadBefore = Machine.loadAverage();
            List<Report.ListResult> results = new ArrayList<>();
            for (String kind : kinds) {
                results.add(measureList(kind));
            }
            publish("list.md", Report.listMarkdown(date, command, machine, listLoadBefore, Machine.loadAverage(), note,
                    listSamples, LIST_WARMUP, results), Report.LIST_BEGIN, Report.LIST_END);
        }
        System.out.println("logs, wrk output and databases: " + workDir);
        return 0;
    }

    private void publish(String file, String markdown, String begin, String end) throws IOException {
        Files.writeString(workDir.resolve(file), markdown);
        System.out.println();
        System.out.println(markdown);
        if (doc != null) {
            Report.writeInto(doc, markdown, begin, end);
            System.out.println("written into " + doc);
        }
    }

    /**
     * Dispatch latency with one idle slot, then throughput for each slot count, each against a fresh server JVM
     * (the slots are the server's embedded worker, as with {@code drover serve --workers N}) on one database.
     */
    private Report.DispatchResult measureDispatch(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-dispatch"));
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db")) : Store.postgres(dir.resolve("db"))) {
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            DispatchBench.Latency latency;
            step(kind, "dispatch latency, one idle slot, " + dispatchSamples + " runs");
            try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, dispatchJvmArgs(1), args,
                    dir.resolve("drover-latency.log"))) {
                latency = new DispatchBench("http://127.0.0.1:" + server.port() + "/api/v1", ADMIN_KEY)
                        .latency(LIST_WARMUP, dispatchSamples);
            }
            step(kind, "claim p50 %.2f ms, accept p50 %.2f ms".formatted(latency.claimP50(), latency.acceptP50()));
            List<DispatchBench.Throughput> throughput = new ArrayList<>();
            for (int n : slots) {
                try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, dispatchJvmArgs(n), args,
                        dir.resolve("drover-" + n + "-slots.log"))) {
                    DispatchBench bench = new DispatchBench("http://127.0.0.1:" + server.port() + "/api/v1", ADMIN_KEY);
                    bench.throughput(n, Math.min(dispatchRuns, 50)); // warm-up: JIT, pools, the first workspaces
                    DispatchBench.Throughput t = bench.throughput(n, dispatchRuns);
                    step(kind, "%d slots: %.1f runs/s".formatted(n, t.perSecond()));
                    throughput.add(t);
                }
            }
            return new Report.DispatchResult(store.label(), latency, throughput);
        }
    }

    /**
     * The claim path through the worker protocol, no agent work: create → CLAIMED with an idle worker, then claim +
     * complete throughput of {@code --claim-loops} worker loops; on PostgreSQL, side by side in one run against
     * the same server, pgbench's single-row UPDATE and a db-scheduler-style poll loop (see {@link PgBaselines}).
     */
    private Report.ClaimsResult measureClaims(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-claims"));
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db"))
                        : Store.postgres(dir.resolve("db"), false, pgStatements)) {
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
            jvmArgs.add("-D" + ServerMain.WORKER_KEY + "=true");
            jvmArgs.add("-D" + ServerMain.TEAM_CONCURRENCY + "=0"); // a measure of claims, not of admission
            if (jfr) {
                jvmArgs.add("-XX:StartFlightRecording=filename=" + dir.resolve("drover.jfr").toAbsolutePath()
                        + ",settings=profile,dumponexit=true");
            }
            ClaimsBench.Latency latency;
            ClaimsBench.Throughput drover;
            double serverCpuMs;
            Double databaseCpuMs;
            try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, jvmArgs, args, dir.resolve("drover.log"))) {
                String workerKey = Files.readString(store.dataDir(Store.DROVER).resolve(Bootstrap.WORKER_KEY_FILE)).strip();
                ClaimsBench bench = new ClaimsBench("http://127.0.0.1:" + server.port() + "/api/v1", ADMIN_KEY, workerKey);
                step(kind, "create → CLAIMED, one idle worker, " + claimSamples + " runs");
                latency = bench.latency(LIST_WARMUP, claimSamples);
                step(kind, "create → CLAIMED p50 %.2f ms, p99 %.2f ms".formatted(latency.claimedP50(), latency.claimedP99()));
                // warm-up as long as the measure: after 300 runs C2 still took ~40 % of the server's CPU during the
                // drain (JFR's thread CPU load, 2026-12-03), which the CPU per run would count as the claim path's
                bench.throughput(claimLoops, claimRuns);
                bench.createBacklog(claimRuns);
                step(kind, claimLoops + " worker loops draining " + claimRuns + " runs");
                // CPU per run: steadier than runs/s on a shared machine, and it says who pays (the server JVM, or
                // PostgreSQL's backends; SQLite's work is inside the server)
                if (pgStatements && store instanceof Store.Postgres pg) {
                    pg.resetStatements();
                }
                long serverCpu = Machine.cpuNanos(server.pid());
                long databaseCpu = Machine.cpuNanosOfAll("postgres");
                drover = bench.drain(claimLoops, claimRuns);
                if (pgStatements && store instanceof Store.Postgres pg) {
                    writeStatements(kind, dir, pg.statements(claimRuns), "claimed and completed run");
                }
                serverCpuMs = (Machine.cpuNanos(server.pid()) - serverCpu) / 1e6 / claimRuns;
                databaseCpuMs = store instanceof Store.Postgres
                        ? (Machine.cpuNanosOfAll("postgres") - databaseCpu) / 1e6 / claimRuns : null;
                step(kind, "claim + complete %.0f runs/s, CPU per run: server %.2f ms%s".formatted(drover.perSecond(),
                        serverCpuMs, databaseCpuMs == null ? "" : ", PostgreSQL %.2f ms".formatted(databaseCpuMs)));
            }
            Report.ClaimsCpu cpu = new Report.ClaimsCpu(serverCpuMs, databaseCpuMs);
            if (!(store instanceof Store.Postgres pg)) {
                return new Report.ClaimsResult(store.label(), store.describe(), latency, drover, cpu, null, null,
                        List.of());
            }
            step(kind, "pgbench single-row UPDATE, " + claimLoops + " clients, " + duration.toSeconds() + " s");
            double tps = PgBaselines.pgbench(pg, claimLoops, duration, dir);
            step(kind, "pgbench %.0f tps".formatted(tps));
            step(kind, "Drover's claim path as SQL from pgbench, " + claimLoops + " clients, " + claimRuns + " runs");
            double statements = PgBaselines.droverStatements(pg, claimLoops, claimRuns, dir);
            step(kind, "Drover's statements without the server: %.0f runs/s".formatted(statements));
            store.migrate(Store.RAW);
            List<Report.PollResult> poll = new ArrayList<>();
            for (int batch : pollBatch) {
                PgBaselines.pollLoop(store, claimLoops, batch, Math.min(pollTasks, 2_000)); // warm-up
                ClaimsBench.Throughput t = PgBaselines.pollLoop(store, claimLoops, batch, pollTasks);
                step(kind, "db-scheduler-style poll loop, batch %d: %.0f tasks/s".formatted(batch, t.perSecond()));
                poll.add(new Report.PollResult(batch, t));
            }
            return new Report.ClaimsResult(store.label(), store.describe(), latency, drover, cpu, tps, statements, poll);
        }
    }

    /** For each stream count, a fresh server JVM on one database, its streams woken by one event per run. */
    private List<Report.WatchersResult> measureWatchers(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-watchers"));
        List<Report.WatchersResult> out = new ArrayList<>();
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db")) : Store.postgres(dir.resolve("db"))) {
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            for (int n : watchers) {
                // the collector's log always (where pauses go is part of the question), a profile on request
                List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
                jvmArgs.add("-Xlog:gc:file=" + dir.resolve("gc-" + n + ".log").toAbsolutePath() + ":uptime");
                if (jfr) {
                    jvmArgs.add("-XX:StartFlightRecording=filename=" + dir.resolve("drover-" + n + ".jfr").toAbsolutePath()
                            + ",settings=profile,dumponexit=true");
                }
                try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, jvmArgs, args,
                        dir.resolve("drover-" + n + "-streams.log"));
                        com.zaxxer.hikari.HikariDataSource stats = kind.equals("postgres") ? store.pool(Store.DROVER, 1) : null) {
                    int longPolls = (int) Math.round(n * watchLongPolls);
                    step(kind, (n - longPolls) + " SSE streams and " + longPolls + " long-polls over " + watchRuns
                            + " runs");
                    WatchersBench.TableReads reads = stats == null ? null : new WatchersBench.TableReads(
                            () -> tableReads(stats, "events"), () -> tableReads(stats, "runs"));
                    WatchersBench.Result r = new WatchersBench(server.port(), ADMIN_KEY, server.pid())
                            .run(n, longPolls, watchRuns, watchSpacing, reads, dir.resolve("histogram-" + n + ".txt"));
                    step(kind, "wake p50 %.1f ms, p99 %.1f ms, RSS %.0f MB, live heap %.0f MB".formatted(r.all().p50(),
                            r.all().p99(), r.rssMb(), r.liveHeapMb()));
                    out.add(new Report.WatchersResult(store.label(), r));
                }
            }
        }
        return out;
    }

    /** Scans of a table so far (sequential and index), as PostgreSQL's statistics count them. */
    private static long tableReads(javax.sql.DataSource ds, String table) {
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)"
                        + " FROM pg_stat_user_tables WHERE relname = '" + table + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET /agent} over {@code --skill-repos} repositories, cold then warm, against a fresh server. */
    private Report.SkillsResult measureSkills(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-skills"));
        Path repos = dir.resolve("repos");
        if (!Files.exists(repos.resolve("bench"))) {
            step(kind, "creating " + skillRepos + " repositories");
            SkillsBench.createRepos(repos, skillRepos);
        }
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db")) : Store.postgres(dir.resolve("db"))) {
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
            jvmArgs.add("-D" + ServerMain.GIT_BASE_URL + "=" + repos.toAbsolutePath());
            try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, jvmArgs, args, dir.resolve("drover.log"))) {
                step(kind, "GET /agent over " + skillRepos + " repositories");
                SkillsBench.Result r = SkillsBench.run("http://127.0.0.1:" + server.port() + "/api/v1", ADMIN_KEY,
                        skillRepos, listSamples);
                step(kind, "cold %.0f ms, warm p50 %.2f ms".formatted(r.coldMs(), r.warmP50()));
                return new Report.SkillsResult(store.label(), r);
            }
        }
    }

    /** The runs page's first paint with rows against the list call it makes, over {@code --list-runs} runs. */
    private Report.WebResult measureWeb(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-web"));
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db")) : Store.postgres(dir.resolve("db"))) {
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, serverJvmArgs, args, dir.resolve("drover.log"))) {
                step(kind, "Drover server up (pid " + server.pid() + "); bulk-loading " + listRuns + " runs");
                BulkLoad.Loaded loaded = BulkLoad.load(store, listRuns, Bootstrap.ADMIN_EMAIL);
                step(kind, "loaded in %.1f s; the runs page in chromium".formatted(loaded.seconds()));
                WebPaint.Result r = WebPaint.run("http://127.0.0.1:" + server.port(), ADMIN_KEY, LIST_WARMUP, listSamples);
                step(kind, "API p50 %.2f ms, page p50 %.1f ms".formatted(r.apiP50(), r.pageP50()));
                return new Report.WebResult(store.label(), loaded.runs(), r);
            }
        }
    }

    /** Every filter and sort of the runs list, first and deep page, over {@code --list-runs} runs. */
    private Report.ListResult measureList(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-list"));
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db"))
                        : Store.postgres(dir.resolve("db"), listReuse, false)) {
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, serverJvmArgs, args, dir.resolve("drover.log"))) {
                String api = "http://127.0.0.1:" + server.port() + "/api/v1";
                step(kind, "Drover server up (pid " + server.pid() + "); " + (listReuse ? "reusing the loaded runs"
                        : "bulk-loading " + listRuns + " runs"));
                ListHistory.Loaded loaded = listReuse ? ListHistory.existing(store, Bootstrap.ADMIN_EMAIL)
                        : ListHistory.load(store, listRuns, Bootstrap.ADMIN_EMAIL);
                step(kind, "loaded in %.1f s; list latencies".formatted(loaded.seconds()));
                ListSuite suite = new ListSuite(api, ADMIN_KEY);
                step(kind, "the server reads the loaded runs: " + suite.readOne());
                List<ListSuite.Result> rows = suite.run(loaded, listQueries, pagesDeep, LIST_WARMUP, listSamples,
                        line -> step(kind, line));
                // what the list's indexes cost a create: 200 creates one at a time over the loaded history
                String body = createBody();
                long[] nanos = new long[200];
                for (int i = 0; i < nanos.length; i++) {
                    long t0 = System.nanoTime();
                    createOne(api, body);
                    nanos[i] = System.nanoTime() - t0;
                }
                java.util.Arrays.sort(nanos);
                double p50 = Samples.percentile(nanos, 0.5) / 1e6;
                double p99 = Samples.percentile(nanos, 0.99) / 1e6;
                step(kind, "create p50 %.1f ms, p99 %.1f ms".formatted(p50, p99));
                return new Report.ListResult(store.label(), store.describe(), loaded, rows, p50, p99);
            }
        }
    }

    /** The server JVM of the dispatch suite: {@code slots} embedded worker slots, no per-team limit. */
    private List<String> dispatchJvmArgs(int slots) {
        List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
        jvmArgs.add("-D" + ServerMain.WORKERS + "=" + slots);
        // the team limit would make this a measure of admission rather than of the worker plane
        jvmArgs.add("-D" + ServerMain.TEAM_CONCURRENCY + "=0");
        if (isolation != null) {
            jvmArgs.add("-D" + ServerMain.ISOLATION + "=" + isolation);
        }
        if (defaultImage != null) {
            jvmArgs.add("-D" + ServerMain.DEFAULT_IMAGE + "=" + defaultImage);
        }
        return jvmArgs;
    }

    /** {@code ./drover serve} started {@code starts} times with and without the AOT cache on one database. */
    private List<Report.StartupResult> measureStartup(String kind) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-startup"));
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db")) : Store.postgres(dir.resolve("db"))) {
            List<String> databaseArgs = store instanceof Store.Postgres pg
                    ? List.of("--database-url", pg.url(Store.DROVER)) : List.of();
            step(kind, "./drover serve, " + starts + " starts with and without the AOT cache");
            StartupBench bench = new StartupBench(Path.of("drover").toAbsolutePath(), dir,
                    new Wrk(threads != null ? threads : Runtime.getRuntime().availableProcessors(), connections, dir),
                    duration);
            return bench.measure(kind, databaseArgs, starts).stream()
                    .map(r -> new Report.StartupResult(store.label(), r)).toList();
        }
    }

    private Report.DbResult measure(String kind, int wrkThreads) throws IOException {
        Path dir = Files.createDirectories(workDir.resolve(kind));
        Wrk wrk = new Wrk(wrkThreads, connections, dir);
        step(kind, "Helidon hello-world");
        Wrk.Result hello;
        try (ChildJvm server = ChildJvm.start("hello-world", HelloServer.class, serverJvmArgs, List.of(),
                dir.resolve("hello-world.log"))) {
            hello = wrk.run("hello", "http://127.0.0.1:" + server.port() + "/", warmup, duration, List.of(), null);
        }
        step(kind, "hello-world " + Report.count(hello.requestsPerSecond()) + " req/s");
        // closed in reverse: the database stops first, then its files go
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db")) : Store.postgres(dir.resolve("db"))) {
            step(kind, "raw JDBC insert loop");
            RawInsert.Result raw = RawInsert.run(store, connections, warmup, duration);
            step(kind, "raw insert " + Report.count(raw.perSecond()) + "/s");

            List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
            if (jfr) {
                jvmArgs.add("-XX:StartFlightRecording=filename=" + dir.resolve("drover.jfr").toAbsolutePath()
                        + ",settings=profile,dumponexit=true");
            }
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            try (ChildJvm server = ChildJvm.start("drover", ServerMain.class, jvmArgs, args, dir.resolve("drover.log"))) {
                String api = "http://127.0.0.1:" + server.port() + "/api/v1";
                String settings = store.describe();
                step(kind, "Drover server up (pid " + server.pid() + "); bulk-loading " + listRuns + " runs");
                BulkLoad.Loaded loaded = BulkLoad.load(store, listRuns, Bootstrap.ADMIN_EMAIL);
                step(kind, "loaded in %.1f s; list latencies".formatted(loaded.seconds()));
                List<ListLatency.Result> list = new ListLatency(api, ADMIN_KEY).run(loaded, pagesDeep, LIST_WARMUP,
                        listSamples);
                String body = createBody();
                String runId = createOne(api, body);
                List<String> auth = List.of("Authorization: Bearer " + ADMIN_KEY);
                step(kind, "GET /agent/runs/{id}");
                Wrk.Result get = wrk.run("get", api + "/agent/runs/" + runId, warmup, duration, auth, null);
                step(kind, "GET " + Report.count(get.requestsPerSecond()) + " req/s; a page of the runs list");
                Wrk.Result page = wrk.run("list", api + "/agent/runs?limit=20", warmup, duration, auth, null);
                step(kind, "list " + Report.count(page.requestsPerSecond()) + " req/s; a poll of a run's events");
                Wrk.Result poll = wrk.run("poll", api + "/agent/events?run_ids=" + runId, warmup, duration, auth, null);
                step(kind, "poll " + Report.count(poll.requestsPerSecond()) + " req/s; POST /agent/runs");
                Wrk.Result create = wrk.run("create", api + "/agent/runs", warmup, duration, auth,
                        wrk.postScript("create", body));
                step(kind, "create " + Report.count(create.requestsPerSecond()) + " req/s");
                return new Report.DbResult(store.label(), settings, hello, get, page, poll, raw, create, loaded,
                        list);
            }
        }
    }

    /**
     * Creates against raw inserts into the same fresh database, side by side: the raw loop, then one Drover node
     * under wrk, then (PostgreSQL) a second node on the same database, both loaded at once with half the
     * connections each. Without the lists' bulk load, so each figure takes seconds, not minutes.
     */
    private Report.CreatesResult measureCreates(String kind, int wrkThreads) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(kind + "-creates"));
        try (Closeable cleanup = () -> deleteUnless(keepDatabases, dir.resolve("db"));
                Store store = kind.equals("sqlite") ? Store.sqlite(dir.resolve("db"))
                        : Store.postgres(dir.resolve("db"), false, pgStatements)) {
            step(kind, "raw JDBC insert loop");
            RawInsert.Result raw = RawInsert.run(store, connections, warmup, duration);
            step(kind, "raw insert " + Report.count(raw.perSecond()) + "/s");
            List<String> args = new ArrayList<>(List.of(store.dataDir(Store.DROVER).toString(), ADMIN_KEY));
            args.addAll(store.serverDatabaseArgs());
            String body = createBody();
            List<String> auth = List.of("Authorization: Bearer " + ADMIN_KEY);
            Wrk.Result one;
            Wrk.Result[] two = null;
            List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
            if (jfr) {
                jvmArgs.add("-XX:StartFlightRecording=filename=" + dir.resolve("drover-1.jfr").toAbsolutePath()
                        + ",settings=profile,dumponexit=true");
            }
            try (CpuLimit firstLimit = CpuLimit.create(nodeCpus, "node-1");
                    ChildJvm first = ChildJvm.start("drover", ServerMain.class, jvmArgs, args,
                            dir.resolve("drover-1.log"))) {
                String api = "http://127.0.0.1:" + first.port() + "/api/v1";
                createOne(api, body);
                Duration measuredWarmup = warmLimitedNode(firstLimit, first, new Wrk(wrkThreads, connections, dir),
                        "create-1-node", api, auth, body);
                Store.Postgres counted = pgStatements && store instanceof Store.Postgres pg ? pg : null;
                long runsBefore = 0;
                if (counted != null) {
                    counted.resetStatements();
                    runsBefore = counted.runs();
                }
                Wrk wrk = new Wrk(wrkThreads, connections, dir);
                one = wrk.run("create-1-node", api + "/agent/runs", measuredWarmup, duration, auth,
                        wrk.postScript("create", body));
                if (counted != null) { // warm-up included: per create is the same
                    writeStatements(kind, dir, counted.statements(counted.runs() - runsBefore), "create");
                }
                step(kind, "one node: create " + Report.count(one.requestsPerSecond()) + " req/s" + throttled(firstLimit));
                if (kind.equals("postgres")) {
                    try (CpuLimit secondLimit = CpuLimit.create(nodeCpus, "node-2");
                            ChildJvm second = ChildJvm.start("drover-2", ServerMain.class, serverJvmArgs, args,
                                    dir.resolve("drover-2.log"))) {
                        String api2 = "http://127.0.0.1:" + second.port() + "/api/v1";
                        createOne(api2, body);
                        warmLimitedNode(secondLimit, second, new Wrk(wrkThreads, connections, dir), "create-node-2",
                                api2, auth, body);
                        firstLimit.throttledShare(); // the first node's share from here: the two nodes' load
                        int half = Math.max(1, connections / 2);
                        int halfThreads = Math.max(1, wrkThreads / 2);
                        Wrk a = new Wrk(halfThreads, half, dir);
                        Wrk b = new Wrk(halfThreads, half, dir);
                        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                            var fa = pool.submit(() -> a.run("create-2-nodes-a", api + "/agent/runs", measuredWarmup,
                                    duration, auth, a.postScript("create-a", body)));
                            var fb = pool.submit(() -> b.run("create-2-nodes-b", api2 + "/agent/runs", measuredWarmup,
                                    duration, auth, b.postScript("create-b", body)));
                            two = new Wrk.Result[] {fa.get(), fb.get()};
                        }
                        step(kind, "two nodes: create " + Report.count(two[0].requestsPerSecond()
                                + two[1].requestsPerSecond()) + " req/s" + throttled(firstLimit) + throttled(secondLimit));
                    }
                }
            }
            return new Report.CreatesResult(store.label(), store.describe(), raw, one, two);
        }
    }

    /** A short settling load before a limited node is measured: its warm-up came before the limit. */
    private static final Duration LIMITED_SETTLE = Duration.ofSeconds(5);

    /**
     * With --node-cpus, a node's warm-up runs on the whole machine before the limit is applied: a JIT compiler held to
     * a quarter of a core takes minutes to compile the create path, and the figure wanted is a warm node's. Returns the
     * warm-up still to run before the measured load (the whole warm-up without a limit, else a short settling).
     */
    private Duration warmLimitedNode(CpuLimit limit, ChildJvm node, Wrk wrk, String label, String api,
            List<String> auth, String body) {
        if (nodeCpus == null) {
            return warmup;
        }
        wrk.run(label + "-unlimited", api + "/agent/runs", Duration.ZERO, warmup, auth, wrk.postScript(label, body));
        limit.add(node.pid());
        return LIMITED_SETTLE;
    }

    /** How often a limited node's quota held it back since the last report (--node-cpus), for the console. */
    private static String throttled(CpuLimit limit) {
        double share = limit.throttledShare();
        return Double.isNaN(share) ? "" : String.format(Locale.ROOT, "; a node held back by its CPU limit in %.0f %% of its periods", share * 100);
    }

    /** pg_stat_statements' table into the work directory, and its costliest statements on the console. */
    private void writeStatements(String kind, Path dir, List<String> rows, String per) throws IOException {
        Path file = dir.resolve("statements.tsv");
        Files.write(file, rows);
        step(kind, "PostgreSQL's statements per " + per + ", costliest first (all of them in " + file + "):");
        rows.stream().limit(16).forEach(r -> System.out.println("    " + (r.length() > 240 ? r.substring(0, 240) + "…" : r)));
    }

    private static void deleteUnless(boolean keep, Path dir) throws IOException {
        if (keep || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The create benchmark's request: a realistic prompt and an agent config name; the title is generated. */
    static String createBody() {
        try {
            return Json.mapper().writeValueAsString(Map.of("prompt", RunRows.PROMPT,
                    "config", Map.of("name", RunRows.CONFIG_NAME)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates one run through the API (and so checks the server works) for the GET benchmark to read. */
    private static String createOne(String api, String body) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(api + "/agent/runs"))
                    .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("POST /agent/runs answered " + res.statusCode() + ": " + res.body());
            }
            return Json.mapper().readTree(res.body()).path("run_id").asText();
        } catch (IOException e) {
            throw new IllegalStateException("POST /agent/runs failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void step(String kind, String what) {
        System.out.printf("[%tT] %s: %s%n", System.currentTimeMillis(), kind, what);
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, or a number of seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(v));
        }
    }
}
