package dev.drover.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The results as markdown, and their place in {@code docs/benchmarks.md} (between two marker comments). */
final class Report {
    static final String BEGIN = "<!-- bench:results:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String END = "<!-- bench:results:end -->";
    static final double TARGET = 0.5;

    /** Everything measured on one database kind. */
    record DbResult(String label, String settings, Wrk.Result hello, Wrk.Result get, RawInsert.Result raw,
            Wrk.Result create, BulkLoad.Loaded loaded, List<ListLatency.Result> list) {}

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
            for (var w : List.of(r.hello(), r.get(), r.create())) {
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

    static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10
                ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Replaces the results section of {@code doc} (appending one if it has none). */
    static void writeInto(Path doc, String results) {
        try {
            String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n";
            String section = BEGIN + "\n" + results + END;
            int b = text.indexOf(BEGIN);
            int e = text.indexOf(END);
            text = b >= 0 && e > b ? text.substring(0, b) + section + text.substring(e + END.length())
                    : text.stripTrailing() + "\n\n" + section + "\n";
            Files.writeString(doc, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + doc, e);
        }
    }
}
