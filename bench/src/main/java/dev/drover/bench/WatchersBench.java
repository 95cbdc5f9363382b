package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Many watchers on one node: {@code watchers} spread evenly over {@code runs} LOCAL runs, some SSE streams
 * ({@code /agent/events/stream}), the others long-polls ({@code GET /agent/events?wait=60}, re-asked from the last
 * sequence seen, as a client does), then one event reported per run, one run at a time. Each watcher records when
 * the event of its run arrives; the wake latency is measured from just before the report is sent (so it includes the
 * report's own commit: an upper bound of "from commit"). Also the server's resident memory and live heap with every
 * watcher waiting (and its class histogram, for where that heap goes), and, where the database counts it
 * (PostgreSQL's {@code pg_stat_user_tables}), reads of the events and runs tables per reported event.
 */
final class WatchersBench {
    /** Latency percentiles (ms) over every stream's wake-up, and what the server held meanwhile. */
    record Result(int streams, int longPolls, int runs, Wake all, Wake sse, Wake longPoll, double reportP50,
            double rssMb, double peakRssMb, double liveHeapMb, double eventReadsPerEvent, double runReadsPerEvent,
            Costs costs) {}

    /**
     * Where the machine's time went while the events were reported and their watchers woken: CPU of the server and
     * of this harness (its clients run on the same cores), the server's collections and their pause time (jstat),
     * and the wake measured from the report's answer instead of its sending (the commit lies between the two, so
     * the two wake figures bound "from commit" from both sides), and from the event's own {@code occurred_at}: the
     * server stamps it inside the report's transaction, before the commit, on the clock this harness reads too, so
     * that figure is an upper bound of "from commit" closer than the one from sending.
     */
    record Costs(double seconds, double serverCpuMs, double harnessCpuMs, long gcs, double gcMs, double fromAnswerP50,
            double fromAnswerP99, long harnessGcs, double harnessGcMs, double fromOccurredP50,
            double fromOccurredP99) {}

    /** This harness's own collections so far and their time in ms (a pause here delays recording a wake-up). */
    private static long[] ownGc() {
        long count = 0;
        long millis = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** How many watchers of one kind were woken, and their wake latency in ms. */
    record Wake(int woken, double p50, double p90, double p99, double max) {
        static Wake of(Samples samples) {
            long[] sorted = Samples.merge(List.of(samples.toArray()));
            return new Wake(sorted.length, Samples.percentile(sorted, 0.5) / 1e6, Samples.percentile(sorted, 0.9) / 1e6,
                    Samples.percentile(sorted, 0.99) / 1e6, sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        }
    }

    /** Reads of a table so far (a database counter). */
    record TableReads(LongSupplier events, LongSupplier runs) {}

    private final String base;
    private final String api;
    private final String key;
    private final long pid;

    WatchersBench(int port, String key, long pid) {
        this.base = "http://127.0.0.1:" + port;
        this.api = base + "/api/v1";
        this.key = key;
        this.pid = pid;
    }

    /**
     * @param longPolls how many of the {@code watchers} long-poll instead of streaming
     * @param reads reads of the events and runs tables so far, or null where the database does not count them
     * @param histogram where to write the server's class histogram with every watcher waiting
     */
    Result run(int watchers, int longPolls, int runs, Duration spacing, TableReads reads, Path histogram)
            throws Exception {
        int streams = watchers - longPolls;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        List<String> runIds = new ArrayList<>();
        List<Long> queuedAt = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            JsonNode r = Json.mapper().readTree(send(http, "POST", "/agent/runs", "{\"prompt\":\"watch " + i + "\"}",
                    "LOCAL"));
            String id = r.get("run_id").asText();
            runIds.add(id);
            JsonNode events = Json.mapper().readTree(send(http, "GET", "/agent/events?run_ids=" + id, null, null));
            queuedAt.add(events.get(0).get("sequence").asLong());
        }
        // each watcher starts just before its run's run_queued: receiving it proves the watcher is live
        CountDownLatch live = new CountDownLatch(watchers);
        long[] sentAt = new long[runs];
        AtomicLongArray arrived = new AtomicLongArray(watchers);
        List<CompletableFuture<?>> open = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        for (int w = 0; w < watchers; w++) {
            int run = w % runs;
            int watcher = w;
            String runId = runIds.get(run);
            long since = queuedAt.get(run) - 1;
            if (longPolling(w, runs, watchers, longPolls)) {
                longPoll(http, runId, since, live, () -> arrived.compareAndSet(watcher, 0, System.nanoTime()), stop);
            } else {
                open.add(stream(http, runId, since, live, () -> arrived.compareAndSet(watcher, 0, System.nanoTime())));
            }
            if (w % 500 == 499) {
                Thread.sleep(50); // do not flood the accept queue
            }
        }
        if (!live.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(live.getCount() + " of " + watchers + " watchers never started");
        }
        Thread.sleep(1_000); // the replayed history is sent and the long-polls asked again: measure only wake-ups
        // the harness is the instrument: its own young collection (10,000 connections' worth of garbage from opening
        // them) would land inside the measurement and delay recording wake-ups; the server's are left as they come
        System.gc();
        long eventsBefore = reads == null ? -1 : reads.events().getAsLong();
        long runsBefore = reads == null ? -1 : reads.runs().getAsLong();
        Samples report = new Samples();
        long[] answeredAt = new long[runs];
        double[] gcBefore = gc();
        long[] ownGcBefore = ownGc();
        long serverCpuBefore = Machine.cpuNanos(pid);
        long harnessCpuBefore = Machine.cpuNanos(ProcessHandle.current().pid());
        long phaseStart = System.nanoTime();
        long phaseStartMicros = micros(java.time.Instant.now()); // the wall clock the server stamps events with
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            sentAt[i] = t0;
            send(http, "POST", "/agent/events/" + runIds.get(i), "{\"event_type\":\"run_in_progress\"}", null);
            answeredAt[i] = System.nanoTime();
            report.add(answeredAt[i] - t0);
            Thread.sleep(spacing.toMillis());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && count(arrived) < watchers) {
            Thread.sleep(100); // polling counters other threads fill in
        }
        double phaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
        double serverCpuMs = (Machine.cpuNanos(pid) - serverCpuBefore) / 1e6;
        double harnessCpuMs = (Machine.cpuNanos(ProcessHandle.current().pid()) - harnessCpuBefore) / 1e6;
        double[] gcAfter = gc();
        long[] ownGcAfter = ownGc();
        Thread.sleep(1_500); // PostgreSQL publishes its table statistics about once a second
        double eventReadsPerEvent = reads == null ? Double.NaN
                : (reads.events().getAsLong() - eventsBefore) / (double) runs;
        double runReadsPerEvent = reads == null ? Double.NaN
                : (reads.runs().getAsLong() - runsBefore) / (double) runs;
        double rss = statusKb("VmRSS") / 1024.0;
        double peak = statusKb("VmHWM") / 1024.0;
        double heap = liveHeapMb(histogram);
        Samples all = new Samples();
        Samples sse = new Samples();
        Samples polls = new Samples();
        Samples fromAnswer = new Samples();
        for (int w = 0; w < watchers; w++) {
            long at = arrived.get(w);
            if (at != 0) {
                long nanos = at - sentAt[w % runs];
                all.add(nanos);
                (longPolling(w, runs, watchers, longPolls) ? polls : sse).add(nanos);
                fromAnswer.add(Math.max(0, at - answeredAt[w % runs])); // woken before the answer arrived: 0
            }
        }
        long[] answered = Samples.merge(List.of(fromAnswer.toArray()));
        long[] occurredAt = new long[runs];
        for (int i = 0; i < runs; i++) {
            for (JsonNode e : Json.mapper().readTree(send(http, "GET", "/agent/events?run_ids=" + runIds.get(i)
                    + "&since=" + queuedAt.get(i), null, null))) {
                if (e.get("event_type").asText().equals("run_in_progress")) {
                    occurredAt[i] = micros(java.time.Instant.parse(e.get("occurred_at").asText()));
                }
            }
        }
        Samples fromOccurred = new Samples();
        for (int w = 0; w < watchers; w++) {
            long at = arrived.get(w);
            if (at != 0 && occurredAt[w % runs] != 0) {
                long wallMicros = phaseStartMicros + (at - phaseStart) / 1_000;
                fromOccurred.add(Math.max(0, wallMicros - occurredAt[w % runs]) * 1_000);
            }
        }
        long[] occurred = Samples.merge(List.of(fromOccurred.toArray()));
        Costs costs = new Costs(phaseSeconds, serverCpuMs, harnessCpuMs, Math.round(gcAfter[0] - gcBefore[0]),
                (gcAfter[1] - gcBefore[1]) * 1000, Samples.percentile(answered, 0.5) / 1e6,
                Samples.percentile(answered, 0.99) / 1e6, ownGcAfter[0] - ownGcBefore[0], ownGcAfter[1] - ownGcBefore[1],
                Samples.percentile(occurred, 0.5) / 1e6, Samples.percentile(occurred, 0.99) / 1e6);
        stop.set(true);
        open.forEach(f -> f.cancel(true));
        http.shutdownNow();
        long[] reports = Samples.merge(List.of(report.toArray()));
        return new Result(streams, longPolls, runs, Wake.of(all), Wake.of(sse), Wake.of(polls),
                Samples.percentile(reports, 0.5) / 1e6, rss, peak, heap, eventReadsPerEvent, runReadsPerEvent, costs);
    }

    /** An SSE stream of one run from {@code since}: its run_queued proves it live, its run_in_progress wakes it. */
    private CompletableFuture<?> stream(HttpClient http, String runId, long since, CountDownLatch live, Runnable woken) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(api + "/agent/events/stream?run_ids=" + runId
                        + "&since=" + since))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(30)).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                String event = line.startsWith("event:") ? line.substring(6).strip() : "";
                if (event.equals("run_queued")) {
                    live.countDown();
                } else if (event.equals("run_in_progress")) {
                    woken.run();
                }
            }

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        }));
    }

    /**
     * A long-poll of one run, as a client runs it: ask with {@code wait=60} from the last sequence seen, and again
     * as soon as an answer comes (empty after the wait, or with events). Its first answer (run_queued) proves it
     * live; the answer with run_in_progress wakes it.
     */
    private void longPoll(HttpClient http, String runId, long since, CountDownLatch live, Runnable woken,
            AtomicBoolean stop) {
        if (stop.get()) {
            return;
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(api + "/agent/events?run_ids=" + runId + "&since=" + since
                        + "&wait=60"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(120)).GET().build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, failure) -> {
            long next = since;
            if (failure == null && res.statusCode() == 200) {
                try {
                    for (JsonNode e : Json.mapper().readTree(res.body())) {
                        next = Math.max(next, e.get("sequence").asLong());
                        switch (e.get("event_type").asText()) {
                            case "run_queued" -> live.countDown();
                            case "run_in_progress" -> woken.run();
                            default -> { }
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            longPoll(http, runId, next, live, woken, stop);
        });
    }

    /**
     * Whether watcher {@code w} long-polls: spread evenly over each run's watchers (watcher w watches run w % runs),
     * so that every run has both kinds in the same proportion.
     */
    static boolean longPolling(int w, int runs, int watchers, int longPolls) {
        long k = w / runs;
        return (k + 1) * longPolls / watchers != k * longPolls / watchers;
    }

    private static int count(AtomicLongArray a) {
        int n = 0;
        for (int i = 0; i < a.length(); i++) {
            n += a.get(i) != 0 ? 1 : 0;
        }
        return n;
    }

    private long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** The server's collections so far and their time in seconds (jstat -gc: YGC + FGC, and GCT). */
    private double[] gc() throws IOException, InterruptedException {
        Path jstat = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jstat");
        Process p = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid)).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        p.waitFor();
        if (lines.size() < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        List<String> names = List.of(lines.get(0).trim().split("\\s+"));
        String[] values = lines.get(1).trim().split("\\s+");
        // a column the collector does not have is "-" (ZGC has no young/full split in jstat's terms)
        java.util.function.ToDoubleFunction<String> v = n -> names.contains(n)
                && values[names.indexOf(n)].matches("[0-9.]+") ? Double.parseDouble(values[names.indexOf(n)]) : 0;
        return new double[] {v.applyAsDouble("YGC") + v.applyAsDouble("FGC"), v.applyAsDouble("GCT")};
    }

    /** The heap in use right after a full collection (what the streams keep alive), through jcmd. */
    private double liveHeapMb(Path histogram) throws IOException, InterruptedException {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        if (histogram != null) {
            // what the heap holds with every watcher waiting (GC.class_histogram runs a full collection first)
            new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
                    .redirectOutput(histogram.toFile()).start().waitFor();
        }
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        // G1: "garbage-first heap   total reserved 8192000K, committed 262144K, used 53248K";
        // ZGC: "ZHeap           used 342M, capacity 1024M, max capacity 6016M"
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)([KM])").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) / (m.group(2).equals("K") ? 1024.0 : 1.0) : Double.NaN;
    }

    private String send(HttpClient http, String method, String path, String body, String location)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + key);
        if (location != null) {
            b.header("X-Drover-Execution-Location", location);
        }
        b = body == null ? b.GET() : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + res.statusCode() + ": " + res.body());
        }
        return res.body();
    }


    private static long micros(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }
}
