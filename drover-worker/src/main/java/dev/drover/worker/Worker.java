package dev.drover.worker;

import dev.drover.api.ArtifactType;
import dev.drover.api.AttachmentRef;
import dev.drover.api.ArtifactUpload;
import dev.drover.api.ClaimedRun;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.Redactor;
import dev.drover.api.RunItem;
import dev.drover.api.RunSecret;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.TranscriptAppend;
import dev.drover.api.UsageReport;
import dev.drover.api.WorkerInfo;
import dev.drover.api.WorkerRegistration;
import dev.drover.client.DroverClient;
import dev.drover.client.DroverWorkerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker, in the shape of a CI runner's loop: register; for each slot, claim (long-poll) and accept in one call,
 * prepare the workspace, run the harness, report; meanwhile a {@link LeaseWatch} heartbeats each run held and stops
 * it the moment it is cancelled or lost.
 * It talks to the server only through drover-client ({@link DroverWorkerClient}, and the {@link DroverClient} it hands
 * out).
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    static final int CLAIM_WAIT_SECONDS = 20;
    /**
     * How long reports are retried through a control-plane outage; the server grants leases a grace period when it
     * comes back (docs/workers.md, "Outages"), so a run finished meanwhile is recorded with its real outcome.
     */
    static final Duration REPORT_RETRIES = Duration.ofMinutes(10);

    private final WorkerConfig config;
    private final DroverWorkerClient client;
    private Harnesses harnesses;
    private EnvironmentSetup setup;
    private Delivery delivery;
    private Isolation isolation;
    private final Map<String, Cancellation> held = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final java.util.Set<Thread> janitors = ConcurrentHashMap.newKeySet();
    /**
     * The workspaces of ended runs this worker still keeps, by run id, each with the janitor that will remove it. A
     * follow-up that continues such a run on this worker takes its workspace back (the janitor then leaves it);
     * guarded by itself, so a workspace is never both taken back and removed.
     */
    private final Map<String, Thread> retained = new java.util.HashMap<>();
    /**
     * How many executions on this worker are using each run's workspace (guarded by {@link #retained}): a follow-up's
     * turn can be claimed by another slot while the previous turn is still reporting its end, and then the workspace is
     * the new turn's, never a janitor's.
     */
    private final Map<String, Integer> inUse = new java.util.HashMap<>();
    private volatile boolean running = true;
    private WorkerInfo info;

    public Worker(WorkerConfig config) {
        this.config = config;
        this.client = new DroverWorkerClient(config.serverUrl(), config.apiKey()).reportRetries(REPORT_RETRIES);
    }

    /** Registers and starts the slot loops and the heartbeat. */
    public Worker start() {
        harnesses = new Harnesses(config, new ModelProviders(config.providerEnv(), client.api().models().defaultModelId()));
        setup = new EnvironmentSetup(config);
        delivery = new Delivery(config.gitToken(), new ForgePullRequests());
        isolation = Isolations.choose(config.isolation(), config.sandboxHidden(), config.workRoot());
        info = client.registerWorker(new WorkerRegistration(config.name(), config.pool(), config.slots(), hostname(),
                isolation.name()));
        LOG.info("worker {} registered in pool {} with {} slot(s), isolation {}", info.workerId(), info.pool(),
                info.slots(), isolation.name());
        for (int i = 0; i < config.slots(); i++) {
            threads.add(Thread.ofVirtual().name("drover-worker-slot-" + i).start(this::slotLoop));
        }
        return this;
    }

    public String workerId() {
        return info.workerId();
    }

    /** The isolation backend this worker runs agents with ({@code unavailable} when it refuses to run them). */
    public String isolation() {
        return isolation.name();
    }

    /** Why this worker refuses to run agents and how to fix it; null when it runs them. */
    public String refusal() {
        return isolation instanceof RefusingIsolation r ? r.reason() : null;
    }

    private void slotLoop() {
        while (running) {
            try {
                // claimed and accepted at once: the run is CLAIMED by the time it arrives
                Optional<ClaimedRun> claimed = client.claim(info.workerId(), CLAIM_WAIT_SECONDS, true);
                if (claimed.isPresent() && running) {
                    execute(claimed.get());
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("claim failed, retrying: {}", e.getMessage());
                    pause(Duration.ofSeconds(2));
                }
            }
        }
    }

    private void execute(ClaimedRun claimed) {
        RunItem run = claimed.run();
        Cancellation cancellation = new Cancellation();
        held.put(run.runId(), cancellation);
        Path workspace = config.workRoot().resolve(run.runId());
        LeaseWatch watch = LeaseWatch.start(client, info.workerId(), run.runId(),
                Duration.ofSeconds(Math.max(1, info.heartbeatSeconds())), cancellation);
        // the values of the run's secrets: replaced in everything that leaves the worker for this run
        Redactor redactor = redactorOf(claimed);
        boolean kept = use(run.runId()); // released by retire, in the finally below
        try {
            boolean reused = claimed.continues() && kept && Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS);
            Files.createDirectories(workspace);
            if (!reused) {
                writeAttachments(claimed, workspace);
            }
            Outcome outcome;
            String image = claimed.environment() == null ? null : claimed.environment().dockerImage();
            TranscriptWriter transcript = new RedactingTranscript((role, content) -> client.appendTranscript(
                    info.workerId(), run.runId(), claimed.executionId(),
                    new TranscriptAppend(List.of(new TranscriptAppend.TranscriptMessage(role, content)))), redactor);
            try (Place place = isolation.open(new Isolation.Spec(run.runId(), workspace, image))) {
                announce(place, transcript);
                place.handOver();
                outcome = executeIn(claimed, workspace, reused, cancellation, transcript, place, redactor);
            } catch (Isolation.Unavailable e) {
                outcome = Outcome.failed("This worker refuses to run agents: " + e.getMessage(),
                        PlatformErrorCode.FEATURE_NOT_AVAILABLE);
            } catch (IOException e) {
                outcome = Outcome.failed("The run's " + isolation.name() + " isolation could not be set up: "
                        + e.getMessage(), PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
            }
            // after the place is closed (the agent's processes are gone) and before the end is reported, so a run
            // that is SUCCEEDED already has its branch, pull request and diff
            if (cancellation.reason() == null && Delivery.delivers(outcome, claimed.delivery())) {
                try {
                    delivery.deliver(claimed, config.workRoot(), workspace, outcome, transcript,
                            diff -> client.reportDelivery(info.workerId(), run.runId(), claimed.executionId(),
                                    redact(diff, redactor)),
                            new RunPullRequests(client, info.workerId(), claimed, redactor), redactor);
                } catch (RuntimeException e) {
                    // the server could not be told (an outage, a lost lease): the run still ends as its agent did
                    LOG.warn("delivering the changes of run {} failed: {}", run.runId(), e.getMessage());
                }
            }
            finish(claimed, cancellation, outcome, redactor);
        } catch (Exception | Error e) {
            // an Error too (say, a tool reading a huge file): the run is reported and the slot lives on
            if (redactor.isEmpty()) {
                LOG.warn("run {} failed on this worker", run.runId(), e);
            } else { // a stack trace cannot be redacted, and an exception's message may quote a secret
                LOG.warn("run {} failed on this worker: {}", run.runId(), redactor.redact(String.valueOf(e)));
            }
            finish(claimed, cancellation, Outcome.errored("The worker failed while executing the run: " + e), redactor);
        } finally {
            watch.close();
            held.remove(run.runId(), cancellation); // a newer turn of the run may hold it by now
            retire(run, workspace);
        }
    }

    /**
     * An execution starts using its run's workspace; true when this worker still kept it from an earlier turn (its
     * janitor is called off, or that turn is still reporting its end). A follow-up's turn then works in it as the last
     * one left it (its repositories, its changes, its files), and nothing is cloned or set up again; otherwise
     * (another worker had it, or it was removed after its idle timeout) the turn starts from a fresh clone.
     */
    private boolean use(String runId) {
        synchronized (retained) {
            boolean janitorCalledOff = retained.remove(runId) != null;
            int before = inUse.getOrDefault(runId, 0);
            inUse.put(runId, before + 1);
            return janitorCalledOff || before > 0;
        }
    }

    /** The harness in its place: setup commands first, then the agent. */
    private Outcome executeIn(ClaimedRun claimed, Path workspace, boolean reused, Cancellation cancellation,
            TranscriptWriter transcript, Place place, Redactor redactor) throws Exception {
        RunItem run = claimed.run();
        if (claimed.secretsError() != null) {
            // a secret deleted since the run was created: the run would go wrong without it, so it does not start
            return Outcome.failed(claimed.secretsError(), PlatformErrorCode.RESOURCE_NOT_FOUND);
        }
        Harnesses.Choice choice = harnesses.forRun(run, place);
        if (choice.harness() == null) {
            return choice.unavailable();
        }
        Map<String, String> env = withSecrets(claimed, environment(run, workspace, claimed.runToken()));
        // the environment's repositories and setup commands, while the run is still CLAIMED: a failure here
        // ends it FAILED (environment_setup_failed) without it ever having started
        Outcome setupFailed = reused ? null
                : setup.prepare(claimed, workspace, env, cancellation, transcript, place, redactor);
        if (setupFailed != null) {
            return setupFailed;
        }
        client.reportEvent(run.runId(), claimed.executionId(), "run_in_progress", null);
        UsageMeter usage = (model, in, out) -> client.recordUsage(info.workerId(), run.runId(),
                claimed.executionId(), new UsageReport(model, in, out));
        DroverClient agentApi = client.asRun(claimed.runToken());
        RunContext.ArtifactSink artifacts = a -> client.recordArtifact(info.workerId(), run.runId(),
                claimed.executionId(), redact(a, redactor));
        RunSecret harnessAuth = claimed.secrets() == null ? null : claimed.secrets().stream()
                .filter(s -> RunSecret.HARNESS_AUTH.equals(s.use())).findFirst().orElse(null);
        Outcome outcome = choice.harness().run(new RunContext(run, workspace, env, cancellation, transcript, usage,
                claimed.history(), agentApi, artifacts, claimed.modelId(), claimed.modelProvider(),
                claimed.skillInstructions(), turnTask(claimed, agentApi), redactor, harnessAuth, claimed.mode()));
        uploadArtifacts(run, workspace, transcript, redactor);
        return outcome;
    }

    static Redactor redactorOf(ClaimedRun claimed) {
        if (claimed.secrets() == null || claimed.secrets().isEmpty()) {
            return Redactor.none();
        }
        Map<String, String> values = new LinkedHashMap<>();
        claimed.secrets().forEach(s -> values.put(s.name(), s.value()));
        return Redactor.of(values);
    }

    /**
     * The run's environment secrets as variables of their names, under the variables the worker sets itself (PATH,
     * HOME, the run token...): a secret cannot take the place of those.
     */
    static Map<String, String> withSecrets(ClaimedRun claimed, Map<String, String> base) {
        Map<String, String> env = new LinkedHashMap<>();
        if (claimed.secrets() != null) {
            claimed.secrets().stream().filter(s -> RunSecret.ENVIRONMENT.equals(s.use()))
                    .forEach(s -> env.put(s.name(), s.value()));
        }
        env.putAll(base);
        return env;
    }

    /** An artifact as it may leave the worker: its texts and its bytes with the run's secrets redacted. */
    static ArtifactUpload redact(ArtifactUpload a, Redactor r) {
        if (r.isEmpty()) {
            return a;
        }
        String data = a.data();
        if (data != null) {
            try {
                data = Base64.getEncoder().encodeToString(r.redact(Base64.getDecoder().decode(data)));
            } catch (IllegalArgumentException e) {
                data = r.redact(data); // not base64: the server refuses it, but it leaves redacted all the same
            }
        }
        return new ArtifactUpload(a.artifactType(), r.redact(a.filepath()), r.redact(a.mimeType()),
                r.redact(a.description()), data, r.redact(a.title()), r.redact(a.content()), r.redact(a.url()),
                r.redact(a.branch()), r.redact(a.repository()));
    }

    /** A delivery report as it leaves the worker: a secret the agent wrote into a file is not in the stored diff. */
    static dev.drover.api.RepositoryDiff redact(dev.drover.api.RepositoryDiff d, Redactor r) {
        if (r.isEmpty()) {
            return d;
        }
        return new dev.drover.api.RepositoryDiff(d.repository(), d.baseCommit(), d.headCommit(), d.branch(),
                d.filesChanged(), d.insertions(), d.deletions(), d.truncated(), r.redact(d.diff()), d.pushed(),
                r.redact(d.deliveryError()));
    }

    /**
     * What this turn asks of the agent besides (turn 1) or instead of (later turns) the prompt: the follow-ups waiting
     * unread in the run's inbox, read now (which marks them read, so the server does not continue the run for them
     * again). Null when there are none and the turn is the first: the prompt alone.
     */
    static String turnTask(ClaimedRun claimed, DroverClient agentApi) {
        List<String> followups = Followups.take(agentApi, claimed.run().runId());
        String prompt = claimed.continues() ? null : claimed.run().prompt();
        if (followups.isEmpty()) {
            return claimed.continues() ? "Continue where you left off." : null;
        }
        StringBuilder task = new StringBuilder(prompt == null || prompt.isBlank() ? "" : prompt.strip() + "\n\n");
        task.append(String.join("\n\n", followups));
        return task.toString();
    }

    /**
     * Says in the transcript where the run executes; loudly when it is not isolated at all, so that nobody reads
     * such a run's transcript believing it was contained.
     */
    private static void announce(Place place, TranscriptWriter transcript) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("backend", place.backend());
        data.put("description", place.describe());
        if (place instanceof ContainerPlace c) {
            data.put("image", c.image());
        }
        List<Map<String, Object>> blocks = new ArrayList<>(List.of(Blocks.event("isolation", data)));
        if (place.backend().equals("none")) {
            blocks.add(Blocks.text("WARNING: " + place.describe()));
        }
        transcript.append("system", blocks);
    }

    /**
     * Keeps a finished run's workspace for its {@code idle_timeout_minutes} (default 10, capped by the worker's
     * max idle), then removes it and tells the server, which shows {@code is_sandbox_running} until then.
     */
    private void retire(RunItem run, Path workspace) {
        Integer minutes = run.agentConfig() == null ? null : run.agentConfig().idleTimeoutMinutes();
        Duration idle = minutes == null ? WorkerConfig.DEFAULT_IDLE : Duration.ofMinutes(minutes);
        if (idle.compareTo(config.maxIdle()) > 0) {
            idle = config.maxIdle();
        }
        Duration keep = idle;
        Thread janitor = Thread.ofVirtual().name("drover-workspace-" + run.runId()).unstarted(() -> {
            try {
                Thread.sleep(keep); // the idle timeout itself, not a wait for a condition
            } catch (InterruptedException e) {
                // the worker is stopping: remove the workspace now
            }
            synchronized (retained) {
                if (!retained.remove(run.runId(), Thread.currentThread())) {
                    janitors.remove(Thread.currentThread());
                    return; // a follow-up's turn took the workspace back: it is that turn's to retire
                }
                deleteQuietly(workspace);
                deleteQuietly(config.workRoot().resolve(Delivery.PRIVATE_DIR).resolve(run.runId()));
            }
            try {
                client.sandboxStopped(info.workerId(), run.runId());
            } catch (RuntimeException e) {
                LOG.warn("could not report the workspace of run {} removed: {}", run.runId(), e.getMessage());
            }
            janitors.remove(Thread.currentThread());
        });
        synchronized (retained) {
            int left = inUse.merge(run.runId(), -1, Integer::sum);
            if (left > 0) {
                return; // a follow-up's turn already works in it; that turn retires it
            }
            inUse.remove(run.runId());
            retained.put(run.runId(), janitor);
        }
        janitors.add(janitor);
        janitor.start();
    }

    /** Where the files sent with the prompt are put, under their own names. */
    static final String ATTACHMENTS_DIR = ".drover/attachments";

    private void writeAttachments(ClaimedRun claimed, Path workspace) throws IOException {
        if (claimed.attachments() == null || claimed.attachments().isEmpty()) {
            return;
        }
        Path dir = Files.createDirectories(workspace.resolve(ATTACHMENTS_DIR));
        for (AttachmentRef a : claimed.attachments()) {
            // file names were checked by the server (no separators), so they stay inside the directory
            Files.write(dir.resolve(a.fileName()), client.attachment(info.workerId(), claimed.run().runId(), a.position()));
        }
    }

    /** Where an agent leaves files to publish: each becomes a FILE artifact of the run when the agent ends. */
    static final String ARTIFACTS_DIR = ".drover/artifacts";

    /**
     * Publishes the regular files under the artifacts directory. This runs in the worker, outside the sandbox, so
     * a link is never followed (an agent could point one at the worker's own secrets) and a file must really lie
     * inside the workspace; a file too big for an artifact is skipped, saying so in the transcript.
     */
    private void uploadArtifacts(RunItem run, Path workspace, TranscriptWriter transcript, Redactor redactor)
            throws IOException {
        Path dir = workspace.resolve(ARTIFACTS_DIR);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path root = workspace.toRealPath();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                String relative = dir.relativize(f).toString();
                if (!f.toRealPath(LinkOption.NOFOLLOW_LINKS).startsWith(root)) {
                    continue;
                }
                long size = Files.size(f);
                if (size > MAX_ARTIFACT_BYTES) {
                    transcript.append("system", List.of(Blocks.event("artifact_skipped", Map.of("path", relative,
                            "size_bytes", size, "limit_bytes", MAX_ARTIFACT_BYTES))));
                    continue;
                }
                String mime = Optional.ofNullable(Files.probeContentType(f)).orElse("application/octet-stream");
                byte[] bytes;
                try (var in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = in.readNBytes((int) MAX_ARTIFACT_BYTES + 1);
                }
                client.recordArtifact(info.workerId(), run.runId(), redact(new ArtifactUpload(ArtifactType.FILE, relative,
                        mime, null, Base64.getEncoder().encodeToString(bytes), null, null, null, null), redactor));
            }
        }
    }

    /** The server's limit for one artifact. */
    static final long MAX_ARTIFACT_BYTES = 25L * 1024 * 1024;

    /** Reports the outcome unless the run is no longer ours to report (its lease was lost). */
    private void finish(ClaimedRun claimed, Cancellation cancellation, Outcome outcome, Redactor redactor) {
        RunItem run = claimed.run();
        if (cancellation.reason() == Cancellation.Reason.LEASE_LOST) {
            LOG.info("run {} stopped: this worker lost its lease", run.runId());
            return;
        }
        Outcome reported = cancellation.reason() == Cancellation.Reason.CANCELLED ? Outcome.cancelled()
                : cancellation.reason() == Cancellation.Reason.SHUTDOWN
                        ? Outcome.errored("The worker shut down while the run was in progress") : outcome;
        RunStatusMessage status = reported.status() == null ? null : new RunStatusMessage(
                redactor.redact(reported.status().message()), reported.status().errorCode(), reported.status().retryable());
        try {
            client.reportEvent(run.runId(), claimed.executionId(), reported.eventType(), status);
        } catch (RuntimeException e) {
            LOG.warn("could not report {} for run {}: {}", reported.eventType(), run.runId(), e.getMessage());
        }
    }

    /**
     * The agent's whole environment: nothing of the worker's (its key, the server's variables) leaks in; only a
     * sane PATH, a HOME inside the workspace, and what identifies the run.
     */
    Map<String, String> environment(RunItem run, Path workspace, String runToken) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", workspace.toString());
        env.put("LANG", "C.UTF-8");
        env.put("DROVER_RUN_ID", run.runId());
        env.put("OZ_API_BASE_URL", client.baseUrl());
        env.put("DROVER_URL", client.baseUrl());
        // the run-scoped token, under both names the Oz tools and Drover's CLI read; it dies with the run
        env.put("WARP_API_KEY", runToken);
        env.put("DROVER_API_KEY", runToken);
        return env;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d); // the claim retry back-off, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        // an agent may leave read-only directories (Go's module cache does): make each writable before emptying it
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(p -> p.toFile().setWritable(true, true));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not make workspace {} writable: {}", dir, e.getMessage());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not remove workspace {}: {}", dir, e.getMessage());
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("workspace {} could not be removed entirely", dir);
        }
    }

    /** Stops claiming; runs still in progress are stopped and reported as errored (retryable). */
    @Override
    public void close() {
        running = false;
        held.values().forEach(c -> c.cancel(Cancellation.Reason.SHUTDOWN));
        if (isolation instanceof ContainerIsolation c) {
            Thread.ofVirtual().start(() -> {
                // after the runs' containers are removed by their slots; the client is only needed until then
                threads.forEach(t -> {
                    try {
                        t.join(Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                c.close();
            });
        }
        threads.forEach(Thread::interrupt);
        List<Thread> pending = List.copyOf(janitors);
        pending.forEach(Thread::interrupt);
        List<Thread> all = new ArrayList<>(threads);
        all.addAll(pending);
        for (Thread t : all) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
