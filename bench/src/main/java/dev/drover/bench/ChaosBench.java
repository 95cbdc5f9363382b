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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Crash trials: runs of every kind are created against a server with an external worker, and at a random moment
 * the server, the worker or both are killed with SIGKILL and started again. Once every run of the trial has
 * ended, the trial checks what must hold whatever the moment of the kill:
 * <ul>
 *   <li>no acknowledged run is lost (every created run id is still there);</li>
 *   <li>no run started twice (at most one {@code run_in_progress});</li>
 *   <li>each run's events are in order: sequences increase, exactly one terminal event, last of the lifecycle
 *       events and matching the run's state; and the trial's runs' events read together from the start have
 *       strictly increasing sequences;</li>
 *   <li>no run is recorded ERROR unless its agent was really lost: the worker was killed while the run was in
 *       progress. A run that finished while only the server was down must end with its real outcome.</li>
 * </ul>
 * Creation uses an {@code Idempotency-Key} and is retried until acknowledged, as a careful client would.
 */
final class ChaosBench {
    private static final Duration SETTLE = Duration.ofSeconds(120);
    private static final List<String> TERMINAL = List.of("SUCCEEDED", "FAILED", "ERROR", "CANCELLED", "BLOCKED");
    private static final Set<String> LIFECYCLE = Set.of("run_queued", "run_pending", "run_claimed", "run_requeued",
            "run_in_progress", "run_succeeded", "run_failed", "run_errored", "run_blocked", "run_cancelled");

    /** What a trial's run does, and the state it must end in when nothing is lost. */
    enum Kind {
        QUICK("echo ok", "SUCCEEDED"),
        SLOW(null, "SUCCEEDED"),
        FAILING("echo failing; exit 3", "FAILED"),
        CANCELLED("sleep 30", "CANCELLED");

        final String command;
        final String expected;

        Kind(String command, String expected) {
            this.command = command;
            this.expected = expected;
        }
    }

    record Planned(Kind kind, String runId) {}

    record Result(String label, int trials, int serverKills, int workerKills, int bothKills, int runs, int lost,
            int startedTwice, int outOfOrder, int wronglyErrored, int wrongOutcome, int rightlyErrored,
            Map<String, Integer> outcomes, double secondsPerTrial, List<String> findings) {}

    private final String api;
    private final String key;
    private final Supplier<ChildJvm> serverStarter;
    private final Supplier<ChildJvm> workerStarter;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildJvm server;
    private ChildJvm worker;

    ChaosBench(String api, String key, Supplier<ChildJvm> serverStarter, Supplier<ChildJvm> workerStarter, long seed) {
        this.api = api;
        this.key = key;
        this.serverStarter = serverStarter;
        this.workerStarter = workerStarter;
        this.random = new Random(seed);
    }

    Result run(String label, int trials, int runsPerTrial, java.util.function.Consumer<String> progress) {
        server = serverStarter.get();
        worker = workerStarter.get();
        int serverKills = 0;
        int workerKills = 0;
        int bothKills = 0;
        int lost = 0;
        int startedTwice = 0;
        int outOfOrder = 0;
        int wronglyErrored = 0;
        int wrongOutcome = 0;
        int rightlyErrored = 0;
        int runs = 0;
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int t = 1; t <= trials; t++) {
                List<Planned> planned = new ArrayList<>();
                for (int i = 0; i < runsPerTrial; i++) {
                    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                    String command = kind == Kind.SLOW
                            ? "sleep " + (1 + random.nextInt(25)) / 10.0 + "; echo done" : kind.command;
                    planned.add(new Planned(kind, create("chaos " + t + "." + i, command)));
                }
                runs += planned.size();
                sleep(random.nextInt(2500));
                planned.stream().filter(p -> p.kind() == Kind.CANCELLED && random.nextBoolean())
                        .forEach(p -> cancel(p.runId()));
                int victim = random.nextInt(10); // 0–4 the server, 5–8 the worker, 9 both
                boolean killServer = victim <= 4 || victim == 9;
                boolean killWorker = victim >= 5;
                Instant killedAt = Instant.now();
                if (killServer) {
                    server.kill();
                }
                if (killWorker) {
                    worker.kill();
                }
                if (killServer && killWorker) {
                    bothKills++;
                } else if (killServer) {
                    serverKills++;
                } else {
                    workerKills++;
                }
                if (killServer) {
                    sleep(random.nextInt(3000)); // an outage of up to 3 s on top of the restart
                    server = serverStarter.get();
                }
                if (killWorker) {
                    worker = workerStarter.get();
                }
                Map<String, JsonNode> ended = settle(planned);
                for (Planned p : planned) {
                    JsonNode run = ended.get(p.runId());
                    if (run == null) {
                        lost++;
                        findings.add("trial " + t + ": run " + p.runId() + " lost");
                        continue;
                    }
                    String state = run.path("state").asText();
                    outcomes.merge(p.kind().name().toLowerCase(java.util.Locale.ROOT) + " → " + state, 1, Integer::sum);
                    List<JsonNode> events = events(p.runId());
                    long inProgress = events.stream().filter(e -> e.path("event_type").asText().equals("run_in_progress")).count();
                    if (inProgress > 1) {
                        startedTwice++;
                        findings.add("trial " + t + ": run " + p.runId() + " started " + inProgress + " times");
                    }
                    String order = orderProblem(events, state);
                    if (order != null) {
                        outOfOrder++;
                        findings.add("trial " + t + ": run " + p.runId() + ": " + order);
                    }
                    if (state.equals("ERROR")) {
                        boolean agentLost = killWorker && events.stream().anyMatch(e ->
                                e.path("event_type").asText().equals("run_in_progress")
                                        && Instant.parse(e.path("occurred_at").asText()).isBefore(killedAt));
                        if (agentLost) {
                            rightlyErrored++;
                        } else {
                            wronglyErrored++;
                            findings.add("trial " + t + " (" + (killServer ? killWorker ? "both" : "server" : "worker")
                                    + " killed): " + p.kind() + " run " + p.runId() + " ERROR: "
                                    + run.path("status_message").path("message").asText());
                        }
                    } else if (!state.equals(p.kind().expected)) {
                        wrongOutcome++;
                        findings.add("trial " + t + ": " + p.kind() + " run " + p.runId() + " ended " + state);
                    }
                }
                String together = orderTogether(planned.stream().map(Planned::runId).toList());
                if (together != null) {
                    outOfOrder++;
                    findings.add("trial " + t + ", its runs' events read together: " + together);
                }
                if (t % 10 == 0 || t == trials) {
                    progress.accept("%d/%d trials; lost %d, started twice %d, out of order %d, wrongly ERROR %d, wrong outcome %d"
                            .formatted(t, trials, lost, startedTwice, outOfOrder, wronglyErrored, wrongOutcome));
                }
            }
        } finally {
            worker.close();
            server.close();
        }
        double perTrial = (System.nanoTime() - started) / 1e9 / Math.max(1, trials);
        return new Result(label, trials, serverKills, workerKills, bothKills, runs, lost, startedTwice, outOfOrder,
                wronglyErrored, wrongOutcome, rightlyErrored, outcomes, perTrial, findings);
    }

    /** Null when the run's events are consistent with the state machine and its final state, else what is wrong. */
    static String orderProblem(List<JsonNode> events, String state) {
        long last = -1;
        List<String> lifecycle = new ArrayList<>();
        for (JsonNode e : events) {
            long seq = e.path("sequence").asLong();
            if (seq <= last) {
                return "sequence " + seq + " after " + last;
            }
            last = seq;
            String type = e.path("event_type").asText();
            if (LIFECYCLE.contains(type)) {
                lifecycle.add(type);
            }
        }
        if (lifecycle.isEmpty() || !lifecycle.getFirst().equals("run_queued")) {
            return "does not begin with run_queued: " + lifecycle;
        }
        List<String> terminals = lifecycle.stream().filter(ChaosBench::terminalEvent).toList();
        if (terminals.size() != 1) {
            return terminals.size() + " terminal events: " + lifecycle;
        }
        if (!terminalEvent(lifecycle.getLast())) {
            return "lifecycle events after the terminal one: " + lifecycle;
        }
        String expected = "run_" + switch (state) {
            case "SUCCEEDED" -> "succeeded";
            case "FAILED" -> "failed";
            case "ERROR" -> "errored";
            case "CANCELLED" -> "cancelled";
            case "BLOCKED" -> "blocked";
            default -> "?";
        };
        return lifecycle.getLast().equals(expected) ? null : "ends " + lifecycle.getLast() + " but the run is " + state;
    }

    private static boolean terminalEvent(String type) {
        return switch (type) {
            case "run_succeeded", "run_failed", "run_errored", "run_blocked", "run_cancelled" -> true;
            default -> false;
        };
    }

    /** The trial's runs' events read together from the start, page by page: every sequence once, increasing. */
    private String orderTogether(List<String> runIds) {
        long since = 0;
        Set<Long> seen = new HashSet<>();
        while (true) {
            JsonNode page = call("GET", "/agent/events?run_ids=" + String.join(",", runIds) + "&since=" + since
                    + "&limit=500", null, null).body();
            if (!page.isArray()) {
                return "GET /agent/events answered " + page;
            }
            if (page.isEmpty()) {
                return null;
            }
            for (JsonNode e : page) {
                long seq = e.path("sequence").asLong();
                if (seq <= since || !seen.add(seq)) {
                    return "sequence " + seq + " after " + since;
                }
                since = seq;
            }
        }
    }

    /** Waits until every run has ended; cancels again the runs meant to be cancelled (a cancel may meet PENDING). */
    private Map<String, JsonNode> settle(List<Planned> planned) {
        Map<String, JsonNode> ended = new java.util.HashMap<>();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (ended.size() < planned.size() && System.nanoTime() < deadline) {
            for (Planned p : planned) {
                if (ended.containsKey(p.runId())) {
                    continue;
                }
                Reply r = call("GET", "/agent/runs/" + p.runId(), null, null);
                if (r.status() == 404) {
                    ended.put(p.runId(), null); // lost: counted by the caller
                    continue;
                }
                if (TERMINAL.contains(r.body().path("state").asText())) {
                    ended.put(p.runId(), r.body());
                } else if (p.kind() == Kind.CANCELLED) {
                    cancel(p.runId());
                }
            }
            sleep(200);
        }
        ended.values().removeIf(java.util.Objects::isNull);
        if (ended.size() < planned.size()) {
            for (Planned p : planned) {
                if (!ended.containsKey(p.runId())) {
                    Reply r = call("GET", "/agent/runs/" + p.runId(), null, null);
                    if (r.status() == 200) {
                        throw new IllegalStateException("run " + p.runId() + " still " + r.body().path("state").asText()
                                + " " + SETTLE.toSeconds() + " s after the trial's kill");
                    }
                }
            }
        }
        return ended;
    }

    private String create(String prompt, String command) {
        String idempotency = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("prompt", prompt, "config", Map.of("name", "chaos",
                "harness", Map.of("type", "command", "command", command)));
        Reply r = call("POST", "/agent/runs", body, idempotency);
        if (r.status() != 200) {
            throw new IllegalStateException("POST /agent/runs answered " + r.status() + ": " + r.body());
        }
        return r.body().path("run_id").asText();
    }

    private void cancel(String runId) {
        call("POST", "/agent/runs/" + runId + "/cancel", Map.of(), null);
    }

    private List<JsonNode> events(String runId) {
        List<JsonNode> out = new ArrayList<>();
        long since = 0;
        while (true) {
            JsonNode page = call("GET", "/agent/events?run_ids=" + runId + "&since=" + since + "&limit=500", null, null).body();
            page.forEach(out::add);
            if (page.size() < 500) {
                return out;
            }
            since = page.get(page.size() - 1).path("sequence").asLong();
        }
    }

    record Reply(int status, JsonNode body) {}

    /** One API call, retried while the server is down or restarting (connection refused, 5xx) for up to 2 minutes. */
    private Reply call(String method, String path, Object body, String idempotencyKey) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
                if (idempotencyKey != null) {
                    b.header("Idempotency-Key", idempotencyKey);
                }
                b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body)));
                HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() < 500) {
                    return new Reply(res.statusCode(), res.body().isEmpty() ? Json.mapper().nullNode()
                            : Json.mapper().readTree(res.body()));
                }
            } catch (IOException e) {
                // the server is down or restarting: try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(method + " " + path + ": the server did not answer for 2 minutes");
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
