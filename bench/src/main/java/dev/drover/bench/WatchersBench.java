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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Many SSE watchers on one node: {@code streams} {@code /agent/events/stream} connections spread evenly over
 * {@code runs} LOCAL runs, then one event reported per run, one run at a time. Each stream records when the event of
 * its run arrives; the wake latency is measured from just before the report is sent (so it includes the report's
 * own commit: an upper bound of "from commit"). Also the server's resident memory and live heap with every stream
 * open, and, where the database counts it (PostgreSQL's {@code pg_stat_user_tables}), reads of the events table per
 * reported event.
 */
final class WatchersBench {
    /** Latency percentiles (ms) over every stream's wake-up, and what the server held meanwhile. */
    record Result(int streams, int runs, int delivered, double p50, double p99, double max, double reportP50,
            double rssMb, double peakRssMb, double liveHeapMb, double eventReadsPerEvent) {}

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
     * @param eventReads reads of the events table so far (a database counter), or null where there is none
     */
    Result run(int streams, int runs, Duration spacing, LongSupplier eventReads) throws Exception {
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
        // each stream starts just before its run's run_queued: receiving it proves the stream is live
        CountDownLatch live = new CountDownLatch(streams);
        long[] sentAt = new long[runs];
        AtomicLongArray arrived = new AtomicLongArray(streams);
        List<CompletableFuture<?>> open = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int run = s % runs;
            int stream = s;
            HttpRequest req = HttpRequest.newBuilder(URI.create(api + "/agent/events/stream?run_ids=" + runIds.get(run)
                            + "&since=" + (queuedAt.get(run) - 1)))
                    .header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(30)).GET().build();
            open.add(http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
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
                        arrived.compareAndSet(stream, 0, System.nanoTime());
                    }
                }

                @Override
                public void onError(Throwable throwable) {}

                @Override
                public void onComplete() {}
            })));
            if (s % 500 == 499) {
                Thread.sleep(50); // do not flood the accept queue
            }
        }
        if (!live.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(live.getCount() + " of " + streams + " streams never started");
        }
        Thread.sleep(1_000); // the streams' replayed history is sent: measure only the live wake-ups
        long readsBefore = eventReads == null ? -1 : eventReads.getAsLong();
        Samples report = new Samples();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            sentAt[i] = t0;
            send(http, "POST", "/agent/events/" + runIds.get(i), "{\"event_type\":\"run_in_progress\"}", null);
            report.add(System.nanoTime() - t0);
            Thread.sleep(spacing.toMillis());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && count(arrived) < streams) {
            Thread.sleep(100); // polling counters other threads fill in
        }
        Thread.sleep(1_500); // PostgreSQL publishes its table statistics about once a second
        double readsPerEvent = eventReads == null ? Double.NaN
                : (eventReads.getAsLong() - readsBefore) / (double) runs;
        double rss = statusKb("VmRSS") / 1024.0;
        double peak = statusKb("VmHWM") / 1024.0;
        double heap = liveHeapMb();
        Samples wake = new Samples();
        for (int s = 0; s < streams; s++) {
            long at = arrived.get(s);
            if (at != 0) {
                wake.add(at - sentAt[s % runs]);
            }
        }
        open.forEach(f -> f.cancel(true));
        http.shutdownNow();
        long[] sorted = Samples.merge(List.of(wake.toArray()));
        long[] reports = Samples.merge(List.of(report.toArray()));
        return new Result(streams, runs, sorted.length, Samples.percentile(sorted, 0.5) / 1e6,
                Samples.percentile(sorted, 0.99) / 1e6, sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
                Samples.percentile(reports, 0.5) / 1e6, rss, peak, heap, readsPerEvent);
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

    /** The heap in use right after a full collection (what the streams keep alive), through jcmd. */
    private double liveHeapMb() throws IOException, InterruptedException {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        // "garbage-first heap   total reserved 8192000K, committed 262144K, used 53248K"
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
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

}
