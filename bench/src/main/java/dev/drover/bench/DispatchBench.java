package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The execution plane's two numbers, against a Drover server with embedded worker slots in its own JVM, each run
 * a {@code command} harness executing {@code true} (so what is measured is Drover, not an agent):
 *
 * <ul>
 *   <li><b>dispatch latency</b>: one run at a time with one idle slot, from the run's creation to the worker's
 *       claim (PENDING) and to its accept (CLAIMED), both read off the server's own event timestamps, so
 *       the client's scheduling is not part of it;
 *   <li><b>throughput</b>: for each slot count, a burst of runs created at once, and runs completed per second
 *       from the first creation to the last terminal event (server timestamps again).
 * </ul>
 */
final class DispatchBench {
    private static final Set<String> TERMINAL = Set.of("run_succeeded", "run_failed", "run_errored", "run_cancelled",
            "run_blocked");
    private static final String BODY = """
            {"prompt": "dispatch benchmark", "config": {"name": "dispatch-bench", "idle_timeout_minutes": 1,
             "harness": {"type": "command", "command": "true"}}}""";

    /** Dispatch latency percentiles (ms) over {@code samples} runs. */
    record Latency(int samples, double claimP50, double claimP99, double acceptP50, double acceptP99,
            double startP50, double startP99, String isolation) {}

    /** Runs completed per second with {@code slots} worker slots. */
    record Throughput(int slots, int runs, double seconds, double perSecond, double p50EndToEnd) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String api;
    private final String key;

    DispatchBench(String api, String key) {
        this.api = api;
        this.key = key;
    }

    /** One slot, idle between runs: {@code warmup} unreported runs then {@code samples} measured ones. */
    Latency latency(int warmup, int samples) throws Exception {
        Samples claim = new Samples();
        Samples accept = new Samples();
        Samples start = new Samples();
        String id = null;
        for (int i = 0; i < warmup + samples; i++) {
            id = create();
            Map<String, Instant> at = awaitTerminal(id);
            require(id, at);
            if (i >= warmup) {
                claim.add(nanosBetween(at.get("run_queued"), at.get("run_pending")));
                accept.add(nanosBetween(at.get("run_queued"), at.get("run_claimed")));
                // CLAIMED → INPROGRESS is the run's place opening (a container created and started) and the
                // setup before the agent: what an isolation backend costs per run
                start.add(nanosBetween(at.get("run_claimed"), at.get("run_in_progress")));
            }
            // the slot reports, then goes back to its long-poll claim: give it that moment so that every
            // measured run finds an idle worker already waiting, which is what this number is about
            Thread.sleep(50);
        }
        long[] c = Samples.merge(List.of(claim.toArray()));
        long[] a = Samples.merge(List.of(accept.toArray()));
        long[] st = Samples.merge(List.of(start.toArray()));
        return new Latency(samples, ms(Samples.percentile(c, 0.5)), ms(Samples.percentile(c, 0.99)),
                ms(Samples.percentile(a, 0.5)), ms(Samples.percentile(a, 0.99)), ms(Samples.percentile(st, 0.5)),
                ms(Samples.percentile(st, 0.99)), isolationOf(id));
    }

    /** {@code runs} runs created at once by 8 client threads; the clock is the server's. */
    Throughput throughput(int slots, int runs) throws Exception {
        List<String> ids = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                created.add(clients.submit(this::create));
            }
            for (Future<String> f : created) {
                ids.add(f.get());
            }
        }
        Instant first = null;
        Instant last = null;
        Samples endToEnd = new Samples();
        for (String id : ids) {
            Map<String, Instant> at = awaitTerminal(id);
            require(id, at);
            Instant queued = at.get("run_queued");
            Instant done = at.get("run_succeeded");
            first = first == null || queued.isBefore(first) ? queued : first;
            last = last == null || done.isAfter(last) ? done : last;
            endToEnd.add(nanosBetween(queued, done));
        }
        double seconds = nanosBetween(first, last) / 1e9;
        long[] e = Samples.merge(List.of(endToEnd.toArray()));
        return new Throughput(slots, runs, seconds, runs / seconds, ms(Samples.percentile(e, 0.5)));
    }

    private String create() throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(api + "/agent/runs"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("POST /agent/runs answered " + res.statusCode() + ": " + res.body());
        }
        return Json.mapper().readTree(res.body()).path("run_id").asText();
    }

    /** The first time each event type occurred for the run, once it has a terminal one (long-polling the log). */
    private Map<String, Instant> awaitTerminal(String runId) throws IOException, InterruptedException {
        Map<String, Instant> at = new HashMap<>();
        long since = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(api + "/agent/events?run_ids="
                    + runId + "&since=" + since + "&wait=20")).header("Authorization", "Bearer " + key).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("GET /agent/events answered " + res.statusCode() + ": " + res.body());
            }
            for (JsonNode e : Json.mapper().readTree(res.body())) {
                since = Math.max(since, e.path("sequence").asLong());
                at.putIfAbsent(e.path("event_type").asText(), Instant.parse(e.path("occurred_at").asText()));
            }
            if (at.keySet().stream().anyMatch(TERMINAL::contains)) {
                return at;
            }
        }
        throw new IllegalStateException("run " + runId + " did not finish within 2 minutes: " + at.keySet());
    }

    private static void require(String id, Map<String, Instant> at) {
        for (String type : List.of("run_queued", "run_pending", "run_claimed", "run_succeeded")) {
            if (!at.containsKey(type)) {
                throw new IllegalStateException("run " + id + " has no " + type + " event (it had " + at.keySet()
                        + "); the benchmark counts only runs that succeed");
            }
        }
    }

    private static long nanosBetween(Instant a, Instant b) {
        return Duration.between(a, b).toNanos();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** What the last run's status says about isolation (bubblewrap or none), for the report. */
    String isolationOf(String runId) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(api + "/agent/runs/" + runId))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        String message = Json.mapper().readTree(res.body()).path("status_message").path("message").asText();
        int open = message.lastIndexOf("(isolation: ");
        return open < 0 ? message : message.substring(open + 1, message.length() - 1);
    }
}
