package dev.drover.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The results as markdown, and their place in {@code docs/benchmarks.md} (between two marker comments). */
final class Report {
    static final String BEGIN = "<!-- bench:results:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String END = "<!-- bench:results:end -->";
    static final String DISPATCH_BEGIN = "<!-- bench:dispatch:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String DISPATCH_END = "<!-- bench:dispatch:end -->";
    static final String WEB_BEGIN = "<!-- bench:web:begin (written by bench/run.sh --suite web; edits here are overwritten) -->";
    static final String WEB_END = "<!-- bench:web:end -->";

    record WebResult(String label, int runs, WebPaint.Result r) {}

    static String webMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter, String note,
            int runs, int samples, List<WebResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append('\n').append('\n');
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append('\n');
        md.append("- ").append(runs).append(" runs in the database; ").append(samples)
                .append(" samples each after a warm-up; Chromium headless on the same machine\n\n");
        md.append("| | ").append(String.join(" | ", results.stream().map(WebResult::label).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(results.size())).append('\n');
        md.append("| `GET /agent/runs?limit=50` (the page's query): p50 / p99 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().apiP50())).append(" / ").append(ms(w.r().apiP99())).append(" |"));
        md.append("\n| runs page, navigation start → first paint with its rows: p50 / p99 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().pageP50())).append(" / ").append(ms(w.r().pageP99())).append(" |"));
        md.append("\n| **page p50 − API p50** (target ≤ 50 ms) |");
        results.forEach(w -> {
            double diff = w.r().pageP50() - w.r().apiP50();
            md.append(' ').append(ms(diff)).append(diff <= 50 ? " (met)" : " (**missed**)").append(" |");
        });
        md.append("\n| of which the HTML shell received (navigation start → responseEnd): p50 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().htmlP50())).append(" |"));
        md.append("\n| first contentful paint (the server-rendered rows are in it): p50 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().fcpP50())).append(" |"));
        md.append("\n| floor: the same shell without rows, first contentful paint (Chromium's own cost here): p50 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().shellFcpP50())).append(" |"));
        md.append("\n| floor: a one-line static page (`<p>Drover</p>`, no CSS, no script, JDK HttpServer), first contentful paint: p50 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().staticFcpP50())).append(" |"));
        md.append("\n| **page p50 − API p50 − static-page floor p50** (the page's own cost over the browser's) |");
        results.forEach(w -> md.append(' ').append(ms(w.r().pageP50() - w.r().apiP50() - w.r().staticFcpP50())).append(" |"));
        md.append("\n| the script has taken the table over (modules, session check; no list call): p50 ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().takeoverP50())).append(" |"));
        md.append("\n| first visit after sign-in (assets not cached yet) ms |");
        results.forEach(w -> md.append(' ').append(ms(w.r().coldPageMs())).append(" |"));
        md.append("\n| rows shown; list requests the page made; samples painted before the rows were parsed |");
        results.forEach(w -> md.append(' ').append(w.r().rows()).append("; ").append(w.r().listRequests())
                .append("; ").append(w.r().paintedBeforeParsed()).append(" |"));
        md.append('\n');
        return md.toString();
    }
    static final String LIST_BEGIN = "<!-- bench:list:begin (written by bench/run.sh --suite list; edits here are overwritten) -->";
    static final String LIST_END = "<!-- bench:list:end -->";
    /** Issue 13's targets for the runs list: every filter and sort, and {@code q}. */
    static final double LIST_TARGET_MS = 20;
    static final double LIST_Q_TARGET_MS = 100;

    record ListResult(String label, String settings, ListHistory.Loaded loaded, List<ListSuite.Result> rows,
            double createP50, double createP99) {}

    static String listMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter, String note,
            int samples, int warmup, List<ListResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append('\n').append('\n');
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append('\n');
        for (ListResult r : results) {
            md.append("- ").append(r.label()).append(": ").append(r.settings()).append('\n');
            md.append("  - ").append(count(r.loaded().runs())).append(" runs (").append(count(r.loaded().callerRuns()))
                    .append(" of the caller's team) bulk-loaded in ").append("%.0f".formatted(r.loaded().seconds()))
                    .append(" s (").append(count(r.loaded().runs() / r.loaded().seconds())).append(" runs/s with their events and metadata)")
                    .append("; then 200 `POST /agent/runs` one at a time: p50 / p99 ").append(ms(r.createP50())).append(" / ")
                    .append(ms(r.createP99())).append(" ms\n");
        }
        md.append("- `GET /api/v1/agent/runs?limit=20&…`, one request at a time, ").append(warmup)
                .append(" warm-up requests then ").append(samples).append(" timed per page (a page whose first request took over 0.5 s: 10 timed, no warm-up); p50 / p99 ms (runs on the page). ")
                .append("The deep page is reached by following `next_cursor` from the first; its number is given ")
                .append("(lower when the listing ends earlier). Target: p99 ≤ ").append(ms(LIST_TARGET_MS))
                .append(" ms, `q` p99 ≤ ").append(ms(LIST_Q_TARGET_MS)).append(" ms; misses in bold.\n\n");
        md.append("| query |");
        for (ListResult r : results) {
            md.append(' ').append(r.label()).append(" first page | ").append(r.label()).append(" deep page |");
        }
        md.append("\n|---|").append("---:|---:|".repeat(results.size())).append('\n');
        List<ListSuite.Result> rows = results.getFirst().rows();
        for (int i = 0; i < rows.size(); i++) {
            md.append("| `").append(rows.get(i).label()).append("` |");
            for (ListResult r : results) {
                ListSuite.Result x = r.rows().get(i);
                double target = x.q() ? LIST_Q_TARGET_MS : LIST_TARGET_MS;
                md.append(' ').append(cell(x.firstP50(), x.firstP99(), target)).append(" (").append(x.firstItems()).append(") |");
                md.append(' ').append(cell(x.deepP50(), x.deepP99(), target)).append(" (p").append(x.deepPage())
                        .append(", ").append(x.deepItems()).append(") |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String cell(double p50, double p99, double target) {
        String p99s = ms(p99);
        return ms(p50) + " / " + (p99 <= target ? p99s : "**" + p99s + "**");
    }

    static final String SKILLS_BEGIN = "<!-- bench:skills:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String SKILLS_END = "<!-- bench:skills:end -->";
    static final double TARGET = 0.5;

    /** Everything measured on one database kind. */
    record DbResult(String label, String settings, Wrk.Result hello, Wrk.Result get, Wrk.Result listPage,
            Wrk.Result poll, RawInsert.Result raw, Wrk.Result create, BulkLoad.Loaded loaded,
            List<ListLatency.Result> list) {}

    /** The execution plane on one database kind. */
    record DispatchResult(String label, DispatchBench.Latency latency, List<DispatchBench.Throughput> throughput) {}

    /** The skills listing on one database kind. */
    record SkillsResult(String label, SkillsBench.Result result) {}

    /** How the run was made. */
    record Setup(String date, String command, Machine machine, int wrkThreads, int connections, long durationSeconds,
            long warmupSeconds, int listSamples, int listWarmup, String loadBefore, String loadAfter, String note) {}

    private Report() {}

    static String markdown(Setup s, List<DbResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(s.date()).append('\n').append('\n');
        if (s.note() != null && !s.note().isBlank()) {
            md.append("**").append(s.note()).append("**\n\n");
        }
        Machine m = s.machine();
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append("; ").append(m.wrk()).append('\n');
        md.append("- Command: `").append(s.command()).append("`\n");
        md.append("- HTTP load: `wrk -t").append(s.wrkThreads()).append(" -c").append(s.connections()).append(" -d")
                .append(s.durationSeconds()).append("s --latency` after a ").append(s.warmupSeconds())
                .append(" s warm-up run of the same; raw inserts: ").append(s.connections())
                .append(" threads for the same time after the same warm-up\n");
        md.append("- Load average (1 min) before: ").append(s.loadBefore()).append(", after: ").append(s.loadAfter())
                .append('\n');
        for (DbResult r : results) {
            md.append("- ").append(r.label()).append(": ").append(r.settings()).append('\n');
        }
        md.append("\n```\n$ free -h\n").append(m.free()).append("\n```\n\n");

        md.append("| | ").append(String.join(" | ", results.stream().map(DbResult::label).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(results.size())).append('\n');
        row(md, "Helidon hello-world `GET /`: req/s (p50 / p99 ms)", results, r -> wrk(r.hello()));
        row(md, "Drover `GET /api/v1/agent/runs/{id}`: req/s (p50 / p99 ms)", results, r -> wrk(r.get()));
        row(md, "**GET ÷ hello-world** (target ≥ 0.5)", results, r -> ratio(r.get().requestsPerSecond(),
                r.hello().requestsPerSecond()));
        row(md, "Drover `GET /api/v1/agent/runs?limit=20` (the newest page of the history): req/s (p50 / p99 ms)",
                results, r -> wrk(r.listPage()));
        row(md, "Drover `GET /api/v1/agent/events?run_ids={id}` (a poll, no wait): req/s (p50 / p99 ms)", results,
                r -> wrk(r.poll()));
        row(md, "raw JDBC insert, one row per transaction: inserts/s (p50 / p99 ms)", results, r -> "%s (%s / %s)"
                .formatted(count(r.raw().perSecond()), ms(r.raw().p50()), ms(r.raw().p99())));
        row(md, "Drover `POST /api/v1/agent/runs`: req/s (p50 / p99 ms)", results, r -> wrk(r.create()));
        row(md, "**create ÷ raw insert** (target ≥ 0.5)", results, r -> ratio(r.create().requestsPerSecond(),
                r.raw().perSecond()));
        md.append('\n');

        BulkLoad.Loaded first = results.getFirst().loaded();
        md.append("List latency, `GET /api/v1/agent/runs?limit=20&…` over ").append(count(first.runs()))
                .append(" runs of the caller's team (bulk-loaded); one request at a time, ")
                .append(s.listWarmup()).append(" warm-up requests then ").append(s.listSamples())
                .append(" timed, p50 / p99 ms (runs on the page):\n\n");
        md.append("| query | ").append(String.join(" | ", results.stream().map(DbResult::label).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(results.size())).append('\n');
        Set<String> queries = new LinkedHashSet<>();
        results.forEach(r -> r.list().forEach(l -> queries.add(l.query())));
        for (String q : queries) {
            md.append("| `").append(q).append("` |");
            for (DbResult r : results) {
                ListLatency.Result l = r.list().stream().filter(x -> x.query().equals(q)).findFirst().orElse(null);
                md.append(' ').append(l == null ? "–" : ms(l.p50()) + " / " + ms(l.p99()) + " (" + l.items() + ")").append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
        List<String> loads = new ArrayList<>();
        for (DbResult r : results) {
            loads.add(r.label() + String.format(Locale.ROOT, " %.1f s", r.loaded().seconds()));
        }
        md.append("Bulk load of the history (runs, their `run_queued` events, metadata): ")
                .append(String.join(", ", loads)).append(". ")
                .append("`state=FAILED&name=agent-07` matches ").append(first.failedOfConfig07()).append(" runs, `q=")
                .append(first.searchTerm()).append("` ").append(first.searchMatches()).append(", `metadata[module]=")
                .append(first.metadataModule()).append("` ").append(first.metadataMatches()).append(".\n");
        List<String> dirty = new ArrayList<>();
        for (DbResult r : results) {
            for (var w : List.of(r.hello(), r.get(), r.listPage(), r.poll(), r.create())) {
                if (!w.clean()) {
                    dirty.add(r.label() + ": " + w.non2xx() + " non-2xx responses"
                            + (w.socketErrors() == null ? "" : ", socket errors " + w.socketErrors()));
                }
            }
        }
        if (!dirty.isEmpty()) {
            md.append("\n**Errors during the run:** ").append(String.join("; ", dirty)).append('\n');
        }
        return md.toString();
    }

    private interface Cell {
        String of(DbResult r);
    }

    private static void row(StringBuilder md, String label, List<DbResult> results, Cell cell) {
        md.append("| ").append(label).append(" |");
        for (DbResult r : results) {
            md.append(' ').append(cell.of(r)).append(" |");
        }
        md.append('\n');
    }

    private static String wrk(Wrk.Result w) {
        return "%s (%s / %s)".formatted(count(w.requestsPerSecond()), ms(w.p50()), ms(w.p99()));
    }

    private static String ratio(double value, double baseline) {
        double r = value / baseline;
        return String.format(Locale.ROOT, "%.2f %s", r, r >= TARGET ? "(met)" : "(**missed**)");
    }

    static final String CLAIMS_BEGIN = "<!-- bench:claims:begin (written by bench/run.sh --suite claims; edits here are overwritten) -->";
    static final String CLAIMS_END = "<!-- bench:claims:end -->";

    /** A db-scheduler-style poll loop's figure for one fetch batch size. */
    record PollResult(int batch, ClaimsBench.Throughput t) {}

    /** CPU time per run of the drain: the server JVM's, and PostgreSQL's processes' (null on SQLite). */
    record ClaimsCpu(double serverMs, Double databaseMs) {}

    /**
     * One database's claims figures; the baselines only on PostgreSQL (null / empty on SQLite). {@code
     * statementsPerSecond}: Drover's claim path as SQL from pgbench, no server ({@link PgBaselines#droverStatements}).
     */
    record ClaimsResult(String label, String settings, ClaimsBench.Latency latency, ClaimsBench.Throughput drover,
            ClaimsCpu cpu, Double pgbenchTps, Double statementsPerSecond, List<PollResult> poll) {}

    static String claimsMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter,
            String note, String pgbench, int loops, List<ClaimsResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append('\n').append('\n');
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append('\n');
        for (ClaimsResult r : results) {
            md.append("- ").append(r.label()).append(": ").append(r.settings()).append('\n');
        }
        if (pgbench != null) {
            md.append("- pgbench: ").append(pgbench).append(", a one-statement script (`UPDATE pgbench_accounts SET "
                    + "abalance = abalance + :delta WHERE aid = :aid`, autocommit), scale 1, ").append(loops)
                    .append(" clients, against the same PostgreSQL server as Drover\n");
        }
        md.append('\n');
        md.append("| | ").append(String.join(" | ", results.stream().map(ClaimsResult::label).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(results.size())).append('\n');
        md.append("| create → PENDING, idle long-polling worker: p50 ms |");
        results.forEach(r -> md.append(' ').append(ms(r.latency().pendingP50())).append(" |"));
        md.append("\n| **create → CLAIMED** p50 / p99 ms (targets p50 ≤ 5 SQLite, ≤ 10 PostgreSQL; p99 ≤ 50) |");
        results.forEach(r -> {
            double target = r.label().equals("SQLite") ? 5 : 10;
            boolean met = r.latency().claimedP50() <= target && r.latency().claimedP99() <= 50;
            md.append(' ').append(ms(r.latency().claimedP50())).append(" / ").append(ms(r.latency().claimedP99()))
                    .append(met ? " (met)" : " (**missed**)").append(" |");
        });
        md.append("\n| Drover: claim + complete, ").append(loops)
                .append(" worker loops over HTTP (claim?accept → run_in_progress → run_succeeded): runs/s |");
        results.forEach(r -> md.append(' ').append(r.drover() == null ? "–" : count(r.drover().perSecond()))
                .append(" |"));
        md.append("\n| CPU per claimed and completed run, ms: server JVM / PostgreSQL's processes |");
        results.forEach(r -> md.append(' ').append(r.cpu() == null ? "–" : String.format(Locale.ROOT, "%.2f",
                r.cpu().serverMs())).append(r.cpu() == null || r.cpu().databaseMs() == null ? ""
                : String.format(Locale.ROOT, " / %.2f", r.cpu().databaseMs())).append(" |"));
        md.append("\n| pgbench single-row UPDATE, ").append(loops).append(" clients: transactions/s |");
        results.forEach(r -> md.append(' ').append(r.pgbenchTps() == null ? "–" : count(r.pgbenchTps())).append(" |"));
        md.append("\n| **Drover ÷ pgbench** (target ≥ 0.5) |");
        results.forEach(r -> {
            if (r.pgbenchTps() == null || r.drover() == null) {
                md.append(" – |");
            } else {
                double ratio = r.drover().perSecond() / r.pgbenchTps();
                md.append(String.format(Locale.ROOT, " %.2f", ratio)).append(ratio >= 0.5 ? " (met)" : " (**missed**)")
                        .append(" |");
            }
        });
        md.append("\n| Drover's claim path as SQL from pgbench, no server (per run: three transactions, each a "
                + "compare-and-set and its events appended): runs/s (÷ pgbench; Drover ÷ it) |");
        results.forEach(r -> md.append(r.statementsPerSecond() == null || r.pgbenchTps() == null ? " –"
                : String.format(Locale.ROOT, " %s (%.2f; %.2f)", count(r.statementsPerSecond()),
                        r.statementsPerSecond() / r.pgbenchTps(), r.drover().perSecond() / r.statementsPerSecond()))
                .append(" |"));
        Set<Integer> batches = new java.util.TreeSet<>();
        results.forEach(r -> r.poll().forEach(p -> batches.add(p.batch())));
        for (int b : batches) {
            md.append("\n| db-scheduler-style poll loop, ").append(loops).append(" threads, JDBC, fetch batch ")
                    .append(b).append(": tasks/s (Drover ÷ it) |");
            for (ClaimsResult r : results) {
                PollResult p = r.poll().stream().filter(x -> x.batch() == b).findFirst().orElse(null);
                md.append(' ').append(p == null || r.drover() == null ? "–" : String.format(Locale.ROOT, "%s (%.2f)",
                        count(p.t().perSecond()), r.drover().perSecond() / p.t().perSecond())).append(" |");
            }
        }
        md.append('\n');
        return md.toString();
    }

    static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10
                ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Replaces the section of {@code doc} between {@code begin} and {@code end} (appending one if it has none). */
    static String skillsMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter,
            String note, List<SkillsResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append("\n\n");
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append("\n\n");
        md.append("| | ").append(String.join(" | ", results.stream().map(SkillsResult::label).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(results.size())).append('\n');
        md.append("| repositories / environments / agents / variants listed |");
        results.forEach(r -> md.append(' ').append(r.result().repos()).append(" / ").append(r.result().environments())
                .append(" / ").append(r.result().agents()).append(" / ").append(r.result().variants()).append(" |"));
        md.append("\n| first `GET /agent` (every mirror cloned): ms |");
        results.forEach(r -> md.append(' ').append(ms(r.result().coldMs())).append(" |"));
        md.append("\n| **later `GET /agent` (from the cache): p50 / p99 ms** |");
        results.forEach(r -> md.append(' ').append(ms(r.result().warmP50())).append(" / ").append(ms(r.result().warmP99()))
                .append(" |"));
        md.append("\n");
        return md.toString();
    }

    static final String STARTUP_BEGIN = "<!-- bench:startup:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String STARTUP_END = "<!-- bench:startup:end -->";

    record StartupResult(String label, StartupBench.Result result) {}

    static String startupMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter,
            String note, int starts, java.time.Duration load, List<StartupResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append("\n\n");
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`; `./drover serve` (default embedded workers) restarted on ")
                .append("an existing database, medians of ").append(starts).append(" starts per mode, modes alternating\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append("\n\n");
        md.append("| database | mode | start-to-ready ms | CPU to ready ms | idle RSS MB (").append(StartupBench.IDLE.toSeconds())
                .append(" s) | RSS MB after ").append(load.toSeconds()).append(" s of GET /agent/runs/{id} | GETs/s |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (StartupResult s : results) {
            StartupBench.Result r = s.result();
            md.append("| ").append(s.label()).append(" | ").append(r.mode()).append(" | ").append(r.readyMs())
                    .append(" | ").append(r.cpuMs()).append(" | ").append(r.idleRssMb()).append(" | ")
                    .append(r.loadRssMb()).append(" | ").append(Math.round(r.getsPerSecond())).append(" |\n");
        }
        return md.toString();
    }

    static final String WATCHERS_BEGIN = "<!-- bench:watchers:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String WATCHERS_END = "<!-- bench:watchers:end -->";

    record WatchersResult(String label, WatchersBench.Result result) {}

    static String watchersMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter,
            String note, List<String> jvmArgs, List<WatchersResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append("\n\n");
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`");
        if (!jvmArgs.isEmpty()) {
            md.append(" (server JVM: `").append(String.join(" ", jvmArgs)).append("`)");
        }
        md.append('\n');
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append("\n\n");
        md.append("| database | watchers (SSE + long-poll) / runs | kind | woken | wake p50 / p90 / p99 / max ms | report p50 ms"
                + " | RSS / peak RSS MB | live heap MB | events-table reads per event | runs-table reads per event |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (WatchersResult w : results) {
            WatchersBench.Result r = w.result();
            List<Map.Entry<String, WatchersBench.Wake>> kinds = List.of(Map.entry("all", r.all()),
                    Map.entry("SSE", r.sse()), Map.entry("long-poll", r.longPoll()));
            for (Map.Entry<String, WatchersBench.Wake> k : kinds) {
                WatchersBench.Wake wake = k.getValue();
                boolean first = k.getKey().equals("all");
                md.append("| ").append(first ? w.label() : "").append(" | ")
                        .append(first ? (r.streams() + r.longPolls()) + " (" + r.streams() + " + " + r.longPolls() + ") / "
                                + r.runs() : "")
                        .append(" | ").append(k.getKey()).append(" | ").append(wake.woken()).append(" | ")
                        .append(ms(wake.p50())).append(" / ").append(ms(wake.p90())).append(" / ").append(ms(wake.p99()))
                        .append(" / ").append(ms(wake.max())).append(" | ");
                if (first) {
                    md.append(ms(r.reportP50())).append(" | ").append(Math.round(r.rssMb())).append(" / ")
                            .append(Math.round(r.peakRssMb())).append(" | ").append(Math.round(r.liveHeapMb()))
                            .append(" | ").append(perEvent(r.eventReadsPerEvent())).append(" | ")
                            .append(perEvent(r.runReadsPerEvent())).append(" |\n");
                } else {
                    md.append(" |  |  |  |  |\n");
                }
            }
        }
        md.append("\nWhile the events were reported and their watchers woken (per reported event; the harness's clients "
                + "share the machine's cores with the server):\n\n");
        md.append("| database | watchers | server CPU ms | harness CPU ms | harness share of the CPU used | "
                + "server GCs (GC time ms) in the phase | harness GCs (GC time ms) | wake from the report's answer p50 / p99 ms "
                + "| wake from the event's occurred_at p50 / p99 ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (WatchersResult w : results) {
            WatchersBench.Result r = w.result();
            WatchersBench.Costs c = r.costs();
            double events = r.runs();
            md.append("| ").append(w.label()).append(" | ").append(r.streams() + r.longPolls()).append(" | ")
                    .append(ms(c.serverCpuMs() / events)).append(" | ").append(ms(c.harnessCpuMs() / events))
                    .append(" | ").append(Math.round(100 * c.harnessCpuMs() / (c.serverCpuMs() + c.harnessCpuMs())))
                    .append(" % | ").append(c.gcs()).append(" (").append(ms(c.gcMs())).append(") | ")
                    .append(c.harnessGcs()).append(" (").append(ms(c.harnessGcMs())).append(") | ")
                    .append(ms(c.fromAnswerP50())).append(" / ").append(ms(c.fromAnswerP99())).append(" | ")
                    .append(ms(c.fromOccurredP50())).append(" / ").append(ms(c.fromOccurredP99())).append(" |\n");
        }
        return md.toString();
    }

    private static String perEvent(double reads) {
        return Double.isNaN(reads) ? "—" : "%.1f".formatted(reads);
    }

    static String dispatchMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter,
            String note, List<DispatchResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append('\n').append('\n');
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter)
                .append('\n');
        for (DispatchResult r : results) {
            md.append("- ").append(r.label()).append(": agent processes ran with ").append(r.latency().isolation())
                    .append('\n');
        }
        md.append('\n');
        md.append("| | ").append(String.join(" | ", results.stream().map(DispatchResult::label).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(results.size())).append('\n');
        md.append("| create → PENDING (claimed by the idle slot): p50 / p99 ms |");
        results.forEach(r -> md.append(' ').append(ms(r.latency().claimP50())).append(" / ")
                .append(ms(r.latency().claimP99())).append(" |"));
        md.append("\n| **create → CLAIMED** (target p50 ≤ 10 ms, p99 ≤ 50 ms) |");
        results.forEach(r -> md.append(' ').append(ms(r.latency().acceptP50())).append(" / ")
                .append(ms(r.latency().acceptP99())).append(' ').append(r.latency().acceptP50() <= 10
                        && r.latency().acceptP99() <= 50 ? "(met)" : "(**missed**)").append(" |"));
        md.append("\n| CLAIMED → INPROGRESS (the run's isolation opened, agent started): p50 / p99 ms |");
        results.forEach(r -> md.append(' ').append(ms(r.latency().startP50())).append(" / ")
                .append(ms(r.latency().startP99())).append(" |"));
        md.append('\n');
        Set<Integer> counts = new java.util.TreeSet<>();
        results.forEach(r -> r.throughput().forEach(t -> counts.add(t.slots())));
        for (int n : counts) {
            md.append("| ").append(n).append(n == 1 ? " slot" : " slots").append(": runs completed/s (p50 create → SUCCEEDED ms) |");
            for (DispatchResult r : results) {
                DispatchBench.Throughput t = r.throughput().stream().filter(x -> x.slots() == n).findFirst().orElse(null);
                md.append(' ').append(t == null ? "–" : String.format(Locale.ROOT, "%.1f (%s)", t.perSecond(),
                        ms(t.p50EndToEnd()))).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
        DispatchBench.Latency l = results.getFirst().latency();
        md.append("Latency over ").append(l.samples()).append(" runs after 20 unreported ones; throughput over ")
                .append(results.getFirst().throughput().isEmpty() ? 0 : results.getFirst().throughput().getFirst().runs())
                .append(" runs created at once by 8 client threads, after a 50-run warm-up.\n");
        return md.toString();
    }

    static final String CREATES_BEGIN = "<!-- bench:creates:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String CREATES_END = "<!-- bench:creates:end -->";

    /** {@code twoNodes}: the two nodes' wrk results, loaded at once; null on SQLite (one process owns the file). */
    record CreatesResult(String label, String settings, RawInsert.Result raw, Wrk.Result oneNode, Wrk.Result[] twoNodes) {}

    static String createsMarkdown(String date, String command, Machine m, String loadBefore, String loadAfter,
            String note, int connections, long seconds, long warmupSeconds, List<CreatesResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("### Run of ").append(date).append("\n\n");
        if (note != null && !note.isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        md.append("- Machine: ").append(m.cpuModel()).append(", `nproc` = ").append(m.nproc()).append(", ")
                .append(m.os()).append("; ").append(m.jdk()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Load: ").append(connections).append(" connections for ").append(seconds).append(" s after a ")
                .append(warmupSeconds).append(" s warm-up; two nodes: half the connections on each, at once\n");
        md.append("- Load average (1 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append('\n');
        for (CreatesResult r : results) {
            md.append("- ").append(r.label()).append(": ").append(r.settings()).append('\n');
        }
        md.append("\n| database | raw insert/s (p50 / p99 ms) | create req/s, one node (p50 / p99 ms) | create ÷ raw | "
                + "create req/s, two nodes | two ÷ one node |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        StringBuilder errors = new StringBuilder();
        for (CreatesResult r : results) {
            double one = r.oneNode().requestsPerSecond();
            md.append("| ").append(r.label()).append(" | ").append(count(r.raw().perSecond())).append(" (")
                    .append(ms(r.raw().p50())).append(" / ").append(ms(r.raw().p99())).append(") | ")
                    .append(count(one)).append(" (").append(ms(r.oneNode().p50())).append(" / ")
                    .append(ms(r.oneNode().p99())).append(") | **")
                    .append(String.format(Locale.ROOT, "%.2f", one / r.raw().perSecond())).append("** | ");
            if (r.twoNodes() == null) {
                md.append("— | — |\n");
            } else {
                double two = r.twoNodes()[0].requestsPerSecond() + r.twoNodes()[1].requestsPerSecond();
                md.append(count(two)).append(" (").append(count(r.twoNodes()[0].requestsPerSecond())).append(" + ")
                        .append(count(r.twoNodes()[1].requestsPerSecond())).append(") | ")
                        .append(String.format(Locale.ROOT, "%.2f", two / one)).append(" |\n");
            }
            long non2xx = r.oneNode().non2xx() + (r.twoNodes() == null ? 0
                    : r.twoNodes()[0].non2xx() + r.twoNodes()[1].non2xx());
            if (non2xx > 0) {
                errors.append("\n**").append(r.label()).append(": ").append(non2xx).append(" non-2xx answers**\n");
            }
        }
        return md.append(errors).toString();
    }

    static void writeInto(Path doc, String results, String begin, String end) {
        try {
            String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n";
            String section = begin + "\n" + results + end;
            int b = text.indexOf(begin);
            int e = text.indexOf(end);
            text = b >= 0 && e > b ? text.substring(0, b) + section + text.substring(e + end.length())
                    : text.stripTrailing() + "\n\n" + section + "\n";
            Files.writeString(doc, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + doc, e);
        }
    }
}
