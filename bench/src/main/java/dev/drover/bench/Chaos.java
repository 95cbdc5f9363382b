package dev.drover.bench;

import dev.drover.api.ConversationResponse;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunEvent;
import dev.drover.api.RunItem;
import dev.drover.api.RunState;
import dev.drover.client.DroverApiException;
import dev.drover.client.DroverClient;
import dev.drover.server.auth.Bootstrap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos test: trials of {@code kill -9} of the server, of an external worker, or of both, at random moments
 * while runs are queued, claimed, in progress and finishing; the killed processes come back (the server on the same
 * port and database, after a random outage of up to two leases) and every run of the trial must end. It counts
 * what must never happen — runs lost (not finished within 90 s, or gone), runs started twice (two
 * {@code run_in_progress}), events out of order (a lifecycle the state table does not allow, a transcript append
 * after the end, transcript lines repeated or out of order) — and what must not happen when no worker died: finished
 * runs recorded as ERROR, or with the wrong outcome, or without their whole transcript.
 *
 * <pre>bench/chaos.sh [--db sqlite|postgres|both] [--trials 200] [--max-minutes M] [--runs 6] [--slots 3] [--lease 5] [--seed S]</pre>
 */
public final class Chaos {
    private static final String ADMIN_KEY = "drv_chaoAdminKey000000000000000000000000000000";
    private static final Pattern TICK = Pattern.compile("tick (\\d+)");
    private static final Map<RunState, Set<RunState>> TABLE = new EnumMap<>(RunState.class);

    static {
        // the REMOTE state table of docs (RunTransitions), restated so that the check is independent of the code
        TABLE.put(RunState.QUEUED, EnumSet.of(RunState.PENDING, RunState.CANCELLED, RunState.FAILED, RunState.ERROR));
        TABLE.put(RunState.PENDING, EnumSet.of(RunState.CLAIMED, RunState.QUEUED, RunState.FAILED, RunState.ERROR));
        TABLE.put(RunState.CLAIMED, EnumSet.of(RunState.INPROGRESS, RunState.QUEUED, RunState.FAILED, RunState.ERROR,
                RunState.CANCELLED));
        TABLE.put(RunState.INPROGRESS, EnumSet.of(RunState.SUCCEEDED, RunState.FAILED, RunState.BLOCKED,
                RunState.ERROR, RunState.CANCELLED));
    }

    private Chaos() {}

    /** What one database's trials found. */
    static final class Tally {
        int trials;
        int serverKills;
        int workerKills;
        int bothKills;
        int runs;
        int lost;
        int startedTwice;
        int outOfOrder;
        int wronglyError;
        int wrongOutcome;
        int incompleteTranscript;
        int errorAfterWorkerKill;
        int requeued;
        long millis;
        final List<String> problems = new ArrayList<>();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int trials = Integer.parseInt(o.getOrDefault("trials", "200"));
        double maxMinutes = Double.parseDouble(o.getOrDefault("max-minutes", "1e9"));
        int runsPerTrial = Integer.parseInt(o.getOrDefault("runs", "6"));
        int slots = Integer.parseInt(o.getOrDefault("slots", "3"));
        int lease = Integer.parseInt(o.getOrDefault("lease", "5"));
        long seed = Long.parseLong(o.getOrDefault("seed", Long.toString(System.nanoTime())));
        String db = o.getOrDefault("db", "both");
        Path root = Path.of("bench/runs/chaos-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(Instant.now())).toAbsolutePath();
        Files.createDirectories(root);
        StringBuilder report = new StringBuilder();
        report.append("Chaos run of ").append(Instant.now().toString().substring(0, 16).replace('T', ' ')).append(" UTC")
                .append(" — seed ").append(seed).append(", ").append(runsPerTrial).append(" runs per trial, ")
                .append(slots).append(" worker slots, lease ").append(lease).append(" s; ").append(machine())
                .append("\n\n| database | trials | kills: server / worker / both | runs | lost | started twice | "
                        + "out of order | finished runs wrongly ERROR | wrong outcome | incomplete transcript | "
                        + "ERROR after a worker kill (expected) | requeued | time |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String which : db.equals("both") ? List.of("sqlite", "postgres") : List.of(db)) {
            Tally t = runTrials(which, root.resolve(which), trials, maxMinutes, runsPerTrial, slots, lease,
                    new Random(seed));
            report.append(String.format(Locale.ROOT,
                    "| %s | %d | %d / %d / %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %.1f min |%n",
                    which.equals("sqlite") ? "SQLite" : "PostgreSQL", t.trials, t.serverKills, t.workerKills,
                    t.bothKills, t.runs, t.lost, t.startedTwice, t.outOfOrder, t.wronglyError, t.wrongOutcome,
                    t.incompleteTranscript, t.errorAfterWorkerKill, t.requeued, t.millis / 60000.0));
            for (String p : t.problems) {
                report.append("\n- ").append(which).append(": ").append(p);
            }
            System.out.println(report);
        }
        System.out.println("\nCommand: " + System.getenv().getOrDefault("BENCH_COMMAND", "dev.drover.bench.Chaos"));
        Files.writeString(root.resolve("report.md"), report.toString());
        System.exit(0);
    }

    private static Tally runTrials(String db, Path dir, int trials, double maxMinutes, int runsPerTrial, int slots,
            int lease, Random random) throws Exception {
        Files.createDirectories(dir);
        Store.Postgres pg = db.equals("postgres") ? new Store.Postgres(dir, false, false) : null;
        List<String> dbArgs = pg == null ? List.of() : pg.serverDatabaseArgs();
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        int port = freePort();
        Tally t = new Tally();
        long started = System.nanoTime();
        ChildJvm server = startServer(dir, data, port, lease, dbArgs, 0);
        String url = "http://127.0.0.1:" + port + "/api/v1";
        String workerKey = Files.readString(data.resolve(Bootstrap.WORKER_KEY_FILE)).strip();
        int workers = 0;
        ChildJvm worker = startWorker(dir, url, workerKey, slots, workers++);
        DroverClient api = new DroverClient(url, ADMIN_KEY);
        try {
            for (int trial = 1; trial <= trials; trial++) {
                if ((System.nanoTime() - started) / 6e10 > maxMinutes) {
                    break;
                }
                // runs of every kind: instant ones, ones that print and sleep past the kill, failing ones, and more
                // than the worker has slots, so that some wait QUEUED when the kill comes
                Map<String, int[]> expected = new LinkedHashMap<>();
                for (int i = 0; i < runsPerTrial; i++) {
                    int ticks = random.nextInt(6);
                    double sleep = 0.2 + random.nextInt(10) / 10.0;
                    boolean fails = random.nextInt(5) == 0;
                    String command = "for i in $(seq 1 " + ticks + "); do echo tick $i; sleep " + sleep + "; done"
                            + (fails ? "; exit 3" : "");
                    dev.drover.api.AmbientAgentConfig config = dev.drover.api.Json.mapper().convertValue(
                            Map.of("harness", Map.of("type", "command", "command", command)),
                            dev.drover.api.AmbientAgentConfig.class);
                    String id = api.createRun(new RunAgentRequest("chaos trial " + trial + " run " + i, null, config,
                            null, null, null, null, null, null, null, null)).runId();
                    expected.put(id, new int[] {ticks, fails ? 1 : 0});
                }
                Thread.sleep(random.nextInt(6000)); // the random moment of the kill
                int victim = random.nextInt(20);
                boolean killServer = victim < 9 || victim >= 16;
                boolean killWorker = victim >= 9;
                if (killServer && killWorker) {
                    t.bothKills++;
                } else if (killServer) {
                    t.serverKills++;
                } else {
                    t.workerKills++;
                }
                if (killWorker) {
                    kill(worker);
                }
                if (killServer) {
                    kill(server);
                    Thread.sleep(random.nextInt(2 * lease * 1000)); // the outage: up to two leases
                    server = startServer(dir, data, port, lease, dbArgs, trial);
                }
                if (killWorker) {
                    Thread.sleep(random.nextInt(3000));
                    worker = startWorker(dir, url, workerKey, slots, workers++);
                }
                check(api, expected, killWorker, t, trial);
                t.trials++;
                System.out.printf(Locale.ROOT, "%s trial %d (%s): lost %d, twice %d, order %d, wrongly ERROR %d%n", db,
                        trial, killServer && killWorker ? "both" : killServer ? "server" : "worker", t.lost,
                        t.startedTwice, t.outOfOrder, t.wronglyError);
            }
        } finally {
            t.millis = (System.nanoTime() - started) / 1_000_000;
            worker.close();
            server.close();
            if (pg != null) {
                pg.close();
                pg.deleteData(); // as zonky's clean-up did before Store kept data directories
            }
        }
        return t;
    }

    private static void check(DroverClient api, Map<String, int[]> expected, boolean workerKilled, Tally t, int trial)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            String id = e.getKey();
            t.runs++;
            RunItem run = null;
            while (System.nanoTime() < deadline) {
                try {
                    run = api.getRun(id);
                    if (run.state().isTerminal()) {
                        break;
                    }
                } catch (DroverApiException ex) {
                    if (ex.status() == 404) {
                        break;
                    }
                } catch (RuntimeException ex) {
                    // the server is still coming back
                }
                Thread.sleep(250); // polling a process we do not control, not a condition in this JVM
            }
            if (run == null || !run.state().isTerminal()) {
                t.lost++;
                t.problems.add("trial " + trial + ": run " + id + " lost (" + (run == null ? "gone" : run.state()) + ")");
                continue;
            }
            List<RunEvent> events = api.pollEvents(List.of(id), 0, 0);
            RunState state = null;
            boolean ended = false;
            boolean ordered = true;
            int inProgress = 0;
            long last = 0;
            for (RunEvent ev : events) {
                ordered &= ev.sequence() > last;
                last = ev.sequence();
                if (ev.eventType().equals("transcript_appended") || ev.eventType().equals("artifact_created")) {
                    ordered &= !ended && state != null && state != RunState.QUEUED;
                    continue;
                }
                RunState to = target(ev.eventType());
                if (to == null) {
                    continue; // run_cancel_requested and the like
                }
                if (ev.eventType().equals("run_requeued")) {
                    t.requeued++;
                }
                inProgress += to == RunState.INPROGRESS ? 1 : 0;
                ordered &= state == null ? to == RunState.QUEUED : !ended && TABLE.get(state).contains(to);
                state = to;
                ended = to.isTerminal();
            }
            ordered &= state == run.state();
            List<Integer> ticks = new ArrayList<>();
            ConversationResponse convo = api.conversation(id);
            convo.steps().forEach(step -> step.messages().forEach(m -> m.content().forEach(block -> {
                Object text = block.get("text");
                if (text instanceof String s && !s.startsWith("chaos trial")) {
                    Matcher matcher = TICK.matcher(s);
                    while (matcher.find()) {
                        ticks.add(Integer.parseInt(matcher.group(1)));
                    }
                }
            })));
            for (int i = 0; i < ticks.size(); i++) {
                ordered &= ticks.get(i) == i + 1; // no line twice, none out of order
            }
            if (inProgress > 1) {
                t.startedTwice++;
                t.problems.add("trial " + trial + ": run " + id + " started " + inProgress + " times");
            }
            if (!ordered) {
                t.outOfOrder++;
                t.problems.add("trial " + trial + ": run " + id + " events or transcript out of order: "
                        + events.stream().map(RunEvent::eventType).toList() + " ticks " + ticks);
            }
            RunState want = e.getValue()[1] == 1 ? RunState.FAILED : RunState.SUCCEEDED;
            if (run.state() == RunState.ERROR) {
                if (workerKilled) {
                    t.errorAfterWorkerKill++;
                } else {
                    t.wronglyError++;
                    t.problems.add("trial " + trial + ": run " + id + " ERROR although no worker died: "
                            + (run.statusMessage() == null ? "" : run.statusMessage().message()));
                }
            } else if (run.state() != want) {
                t.wrongOutcome++;
                t.problems.add("trial " + trial + ": run " + id + " " + run.state() + ", expected " + want);
            } else if (ticks.size() != e.getValue()[0]) {
                t.incompleteTranscript++;
                t.problems.add("trial " + trial + ": run " + id + " ended " + run.state() + " with ticks " + ticks
                        + " of " + e.getValue()[0]);
            }
        }
    }

    private static String machine() {
        Machine m = Machine.describe();
        return m.cpuModel() + ", " + m.nproc() + " cores, " + m.jdk();
    }

    private static RunState target(String type) {
        return switch (type) {
            case "run_queued", "run_requeued" -> RunState.QUEUED;
            case "run_pending" -> RunState.PENDING;
            case "run_claimed" -> RunState.CLAIMED;
            case "run_in_progress" -> RunState.INPROGRESS;
            case "run_succeeded" -> RunState.SUCCEEDED;
            case "run_failed" -> RunState.FAILED;
            case "run_blocked" -> RunState.BLOCKED;
            case "run_errored" -> RunState.ERROR;
            case "run_cancelled" -> RunState.CANCELLED;
            default -> null;
        };
    }

    /** SIGKILL: no shutdown hook, no goodbye, whatever was in flight is cut. */
    private static void kill(ChildJvm jvm) throws Exception {
        ProcessHandle handle = ProcessHandle.of(jvm.pid()).orElse(null);
        if (handle != null) {
            handle.destroyForcibly();
            handle.onExit().get();
        }
    }

    private static ChildJvm startServer(Path dir, Path data, int port, int lease, List<String> dbArgs, int generation) {
        List<String> args = new ArrayList<>(List.of("server", data.toString(), Integer.toString(port), ADMIN_KEY,
                Integer.toString(lease)));
        args.addAll(dbArgs);
        for (int attempt = 1; ; attempt++) {
            try {
                return ChildJvm.start("chaos-server", ChaosNode.class, List.of("-Xmx256m"), args,
                        dir.resolve("server-" + generation + (attempt > 1 ? "-" + attempt : "") + ".log"));
            } catch (IllegalStateException e) {
                if (attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    private static ChildJvm startWorker(Path dir, String url, String key, int slots, int generation) {
        return ChildJvm.start("chaos-worker", ChaosNode.class, List.of("-Xmx192m"),
                List.of("worker", url, key, dir.resolve("work").toString(), Integer.toString(slots)),
                dir.resolve("worker-" + generation + ".log"));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }
}
