package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.ClaimedRun;
import dev.drover.api.Json;
import dev.drover.api.WorkerRegistration;
import dev.drover.client.DroverWorkerClient;
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
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker protocol's claim path against a real Drover server, with no agent work: workers are plain loops of
 * {@link DroverWorkerClient} calls, exactly the calls {@code drover worker} makes for a run whose agent does nothing.
 *
 * <ul>
 *   <li><b>create → CLAIMED</b>: one idle worker long-polling {@code claim?accept=true}; runs created one at a
 *       time, the latency read off the server's own {@code run_queued} and {@code run_claimed} timestamps;
 *   <li><b>claim + complete throughput</b>: a backlog of QUEUED runs drained by {@code loops} workers, each
 *       doing claim (accepting) → {@code run_in_progress} → {@code run_succeeded}, the three calls a run costs
 *       a worker; completions per second from the first claim to the last completion.
 * </ul>
 */
final class ClaimsBench {
    private static final String BODY = """
            {"prompt": "claims benchmark", "config": {"name": "claims-bench"}}""";

    /** create → PENDING and create → CLAIMED percentiles (ms) over {@code samples} runs. */
    record Latency(int samples, double pendingP50, double claimedP50, double claimedP99) {}

    /** {@code done} runs claimed and completed by {@code loops} workers in {@code seconds}. */
    record Throughput(int loops, long done, double seconds) {
        double perSecond() {
            return done / seconds;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String api;
    private final String adminKey;
    private final String workerKey;

    ClaimsBench(String api, String adminKey, String workerKey) {
        this.api = api;
        this.adminKey = adminKey;
        this.workerKey = workerKey;
    }

    /**
     * One worker waits in a long-poll claim; each run is created only once the worker has finished the last one
     * and is back in its claim, so every sample finds an idle worker already waiting.
     */
    Latency latency(int warmup, int samples) throws Exception {
        DroverWorkerClient worker = new DroverWorkerClient(api, workerKey);
        String workerId = worker.registerWorker(new WorkerRegistration("claims-latency", null, 1, "bench", null)).workerId();
        BlockingQueue<String> completed = new LinkedBlockingQueue<>();
        Samples pending = new Samples();
        Samples claimed = new Samples();
        java.util.concurrent.atomic.AtomicBoolean last = new java.util.concurrent.atomic.AtomicBoolean();
        Thread loop = Thread.ofPlatform().daemon().name("claims-latency-worker").start(() -> {
            // ends after completing the run created once `last` is set: a claim abandoned by the client would still
            // wait on the server and take a run of the next measurement
            while (true) {
                try {
                    Optional<ClaimedRun> c = worker.claim(workerId, 30, true);
                    if (c.isPresent()) {
                        complete(worker, c.get());
                        boolean ending = last.get(); // set before that run was created, read before reporting it done
                        completed.add(c.get().run().runId());
                        if (ending) {
                            return;
                        }
                    }
                } catch (RuntimeException e) {
                    completed.add("failed: " + e);
                    return;
                }
            }
        });
        try {
            for (int i = 0; i <= warmup + samples; i++) {
                last.set(i == warmup + samples);
                // the worker reported the last run and is back in claim: give that request a moment to arrive
                Thread.sleep(30);
                String id = create();
                String done = completed.poll(60, TimeUnit.SECONDS);
                if (done == null || !done.equals(id)) {
                    throw new IllegalStateException("the worker did not complete run " + id + ": " + done);
                }
                if (i >= warmup && i < warmup + samples) {
                    Map<String, Instant> at = events(id);
                    pending.add(Duration.between(at.get("run_queued"), at.get("run_pending")).toNanos());
                    claimed.add(Duration.between(at.get("run_queued"), at.get("run_claimed")).toNanos());
                }
            }
        } finally {
            loop.join(Duration.ofSeconds(60));
        }
        long[] p = Samples.merge(List.of(pending.toArray()));
        long[] c = Samples.merge(List.of(claimed.toArray()));
        return new Latency(samples, ms(Samples.percentile(p, 0.5)), ms(Samples.percentile(c, 0.5)),
                ms(Samples.percentile(c, 0.99)));
    }

    /** Creates {@code runs} QUEUED runs (16 client threads), then times {@code loops} workers draining them. */
    Throughput throughput(int loops, int runs) throws Exception {
        createBacklog(runs);
        return drain(loops, runs);
    }

    /** Times {@code loops} workers draining a backlog of {@code runs} QUEUED runs. */
    Throughput drain(int loops, int runs) throws Exception {
        List<DroverWorkerClient> clients = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            DroverWorkerClient c = new DroverWorkerClient(api, workerKey);
            clients.add(c);
            ids.add(c.registerWorker(new WorkerRegistration("claims-" + i, null, 1, "bench", null)).workerId());
        }
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(loops)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                DroverWorkerClient c = clients.get(i);
                String id = ids.get(i);
                futures.add(pool.submit(() -> {
                    // the backlog is all there is: an empty claim means it is drained
                    for (Optional<ClaimedRun> run = c.claim(id, 0, true); run.isPresent(); run = c.claim(id, 0, true)) {
                        complete(c, run.get());
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (done.get() != runs) {
            throw new IllegalStateException("the workers completed " + done.get() + " of " + runs + " runs");
        }
        return new Throughput(loops, done.get(), seconds);
    }

    /** What a worker reports for a run whose agent did nothing: it started, and it succeeded. */
    private static void complete(DroverWorkerClient worker, ClaimedRun c) {
        worker.reportEvent(c.run().runId(), c.executionId(), "run_in_progress", null);
        worker.reportEvent(c.run().runId(), c.executionId(), "run_succeeded", null);
    }

    /** Creates {@code runs} QUEUED runs for the workers, 16 client threads. */
    void createBacklog(int runs) throws Exception {
        try (ExecutorService creators = Executors.newFixedThreadPool(16)) {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                created.add(creators.submit(this::create));
            }
            for (Future<String> f : created) {
                f.get();
            }
        }
    }

    private String create() throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(api + "/agent/runs"))
                .header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("POST /agent/runs answered " + res.statusCode() + ": " + res.body());
        }
        return Json.mapper().readTree(res.body()).path("run_id").asText();
    }

    /** The first time each event type occurred for the run, by the server's clock. */
    private Map<String, Instant> events(String runId) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(api + "/agent/events?run_ids=" + runId
                + "&since=0")).header("Authorization", "Bearer " + adminKey).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("GET /agent/events answered " + res.statusCode() + ": " + res.body());
        }
        Map<String, Instant> at = new HashMap<>();
        for (JsonNode e : Json.mapper().readTree(res.body())) {
            at.putIfAbsent(e.path("event_type").asText(), Instant.parse(e.path("occurred_at").asText()));
        }
        for (String type : List.of("run_queued", "run_pending", "run_claimed", "run_succeeded")) {
            if (!at.containsKey(type)) {
                throw new IllegalStateException("run " + runId + " has no " + type + " event: " + at.keySet());
            }
        }
        return at;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
