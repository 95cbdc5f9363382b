package dev.drover.server.workers;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.drover.api.ArtifactUpload;
import dev.drover.api.ClaimedRun;
import dev.drover.api.HeartbeatResponse;
import dev.drover.api.LeaseStatus;
import dev.drover.api.ListWorkersResponse;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RepositoryDiff;
import dev.drover.api.RunDelivery;
import dev.drover.api.RunEnvironment;
import dev.drover.api.TranscriptAppend;
import dev.drover.api.UsageReport;
import dev.drover.api.UsageStatus;
import dev.drover.api.WorkerInfo;
import dev.drover.api.WorkerRegistration;
import dev.drover.server.artifacts.Artifacts;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.environments.Environments;
import dev.drover.server.runsecrets.RunSecrets;
import dev.drover.server.secrets.Secrets;
import dev.drover.server.eventlog.EventBus;
import dev.drover.server.eventlog.EventTail;
import dev.drover.server.http.ApiException;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.RunLeases;
import dev.drover.server.runs.RunTransitions;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.WorkerReport;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Times;
import dev.drover.server.transcripts.Transcripts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The worker registry and the worker side of dispatch. Claims are long-polls woken by the node's event tail: a new
 * run commits a {@code run_queued} event, which the committing thread hands to its node's tail (other nodes read it
 * once each after LISTEN/NOTIFY) and which wakes one idle claimer of each waiting pool (see {@link ClaimWakeups}), so
 * dispatch never waits for a polling interval and idle workers cost the database nothing per event.
 */
public final class Workers {
    /** How often workers are asked to heartbeat; a third of the lease, so two lost beats are survivable. */
    static final int HEARTBEAT_DIVISOR = 3;
    /** The longest an idle claim sleeps without looking whether the node is stopping. */
    private static final Duration WAIT_SLICE = Duration.ofSeconds(1);
    /** The longest a node lets pass between two records of a claiming worker's last sign of life. */
    static final Duration CLAIM_TOUCH_INTERVAL = Duration.ofSeconds(5);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern ISOLATION = Pattern.compile("[a-z0-9-]{1,32}");

    private final Database db;
    private final RunLeases leases;
    private final EventBus bus;
    private final EventTail tail;
    private final ClaimWakeups wakeups = new ClaimWakeups();
    /** Workers read so far (see {@link #known}); bounded, for a node that outlives many fleets. */
    private final Cache<String, Worker> registered = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Clock clock;
    private final Transcripts transcripts;
    private final Artifacts artifacts;
    private final Runs runs;
    private final BlobStore blobs;
    private final Environments environments;
    private final RunSecrets runSecrets;
    private final ModelCatalog models;
    private final dev.drover.server.delivery.Deliveries deliveries;

    public Workers(Database db, RunLeases leases, EventBus bus, EventTail tail, Clock clock, Transcripts transcripts,
            Artifacts artifacts, Runs runs, BlobStore blobs, Environments environments, ModelCatalog models,
            RunSecrets runSecrets, dev.drover.server.delivery.Deliveries deliveries) {
        this.deliveries = deliveries;
        this.environments = environments;
        this.runSecrets = runSecrets;
        this.models = models;
        this.runs = runs;
        this.blobs = blobs;
        this.artifacts = artifacts;
        this.db = db;
        this.leases = leases;
        this.bus = bus;
        this.tail = tail;
        tail.onEvents(wakeups);
        tail.onClose(wakeups::wakeAll);
        this.clock = clock;
        this.transcripts = transcripts;
    }

    /** A worker as stored. */
    record Worker(String id, String principalId, String pool) {}

    public WorkerInfo register(Principal caller, WorkerRegistration r) {
        requireWorkerKey(caller);
        String name = r.name() == null ? "worker" : r.name();
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "1 to 128 characters of [A-Za-z0-9._:-]");
        }
        String pool = r.pool() == null ? Runs.DEFAULT_POOL : r.pool();
        if (!NAME.matcher(pool).matches()) {
            throw ApiException.badRequest("pool", "1 to 128 characters of [A-Za-z0-9._:-]");
        }
        int slots = r.slots() == null ? 1 : r.slots();
        if (slots < 1 || slots > 256) {
            throw ApiException.badRequest("slots", "must be between 1 and 256");
        }
        if (r.host() != null && r.host().length() > 255) {
            throw ApiException.badRequest("host", "must be at most 255 characters");
        }
        if (r.isolation() != null && !ISOLATION.matcher(r.isolation()).matches()) {
            throw ApiException.badRequest("isolation", "1 to 32 characters of [a-z0-9-] (container, bubblewrap, none)");
        }
        String id = Ids.uuid();
        long now = Times.micros(clock.instant());
        db.write(h -> h.createUpdate("""
                        INSERT INTO workers (id, principal_id, name, pool, slots, host, registered_at, last_heartbeat_at,
                                             isolation)
                        VALUES (:id, :p, :name, :pool, :slots, :host, :now, :now, :isolation)""")
                .bind("id", id).bind("p", caller.id()).bind("name", name).bind("pool", pool).bind("slots", slots)
                .bind("host", r.host()).bind("now", now).bind("isolation", r.isolation()).execute());
        return info(id);
    }

    public ListWorkersResponse list(Principal caller) {
        if (!caller.admin() && !caller.worker()) {
            throw ApiException.forbidden("Authorization: listing workers needs an admin or a worker key");
        }
        long since = Times.micros(clock.instant().minus(leases.lease().multipliedBy(4)));
        return new ListWorkersResponse(db.readOne(h -> h.createQuery(
                        "SELECT id FROM workers WHERE last_heartbeat_at >= :since ORDER BY pool, name, id")
                .bind("since", since).mapTo(String.class).list()).stream().map(this::info).toList());
    }

    /**
     * Waits up to {@code wait} for a run of the worker's pool and leases it to the worker. The slot count is the
     * worker's business (it calls claim once per free slot); the server bounds nothing but the queue order.
     */
    public Optional<ClaimedRun> claim(Principal caller, String workerId, Duration wait, boolean accept)
            throws InterruptedException {
        Worker worker = owned(caller, workerId);
        touchOnClaim(workerId);
        long deadline = System.nanoTime() + wait.toNanos();
        // counted as waiting before the first attempt: a run queued during an attempt leaves a wake-up for the wait
        try (ClaimWakeups.Waiter waiter = wakeups.waiter(worker.pool())) {
            while (true) {
                Optional<RunLeases.Claim> claim = leases.claim(worker.id(), worker.pool(), accept);
                if (claim.isPresent()) {
                    return Optional.of(answer(claim.get()));
                }
                if (!awaitWakeup(waiter, deadline)) {
                    return Optional.empty();
                }
            }
        }
    }

    /** Waits for a wake-up until {@code deadline} (nanoTime); false when it passed or the node is stopping. */
    private boolean awaitWakeup(ClaimWakeups.Waiter waiter, long deadline) {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || tail.isClosed()) {
                return false;
            }
            // the tail's close wakes every claim (ClaimWakeups.wakeAll); slices are the backstop for a stop
            try {
                if (waiter.await(Duration.ofNanos(Math.min(left, WAIT_SLICE.toNanos())))) {
                    return !tail.isClosed(); // woken by the stop: the claim answers "nothing" now
                }
            } catch (InterruptedException stopping) {
                // the web server interrupts what is still waiting when it stops: an empty answer, not an error
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The claim's answer: the leased run with what the worker needs to execute it. */
    private ClaimedRun answer(RunLeases.Claim claim) {
        ClaimedRun c = claim.run();
        String environmentId = c.run().agentConfig() == null ? null : c.run().agentConfig().environmentId();
        String modelId = c.run().agentConfig() != null && c.run().agentConfig().modelId() != null
                ? c.run().agentConfig().modelId() : models.defaultModelId();
        String provider = models.find(modelId).map(ModelCatalog.Model::provider).orElse(null);
        RunEnvironment environment = deliveries.withTargets(environments.forRun(environmentId).orElse(null));
        RunDelivery delivery = environment == null || environment.repos().isEmpty() ? null
                : deliveries.forClaim(c.run(), environment.deliverOnFailure(), environment.gitSecret());
        // the values of the run's secrets go to the worker holding its lease, in this answer only
        Secrets.Resolution secrets = runSecrets.forClaim(c.run(), environment);
        return new ClaimedRun(c.run(), c.leaseExpiresAt(), c.attempt(),
                transcripts.history(c.run().conversationId(), historyRuns(claim)),
                c.runToken(), c.attachments(), environment, modelId, provider,
                c.skillInstructions(), c.executionId(), c.turn(), secrets.secrets(), secrets.error(), delivery,
                c.mode());
    }

    /** The runs whose transcripts a claimed run gets: the earlier ones of its conversation, then its own turns. */
    private static List<String> historyRuns(RunLeases.Claim claim) {
        if (!claim.run().continues()) {
            return claim.earlierRuns();
        }
        List<String> runs = new ArrayList<>(claim.earlierRuns());
        runs.add(claim.run().run().runId());
        return runs;
    }

    public LeaseStatus accept(Principal caller, String workerId, String runId) {
        owned(caller, workerId);
        return leases.accept(workerId, runId);
    }

    /** An attachment's bytes and media type, for the worker writing it into the workspace. */
    public record AttachmentBytes(byte[] bytes, String mimeType) {}

    public AttachmentBytes attachment(Principal caller, String workerId, String runId, String position) {
        owned(caller, workerId);
        int p;
        try {
            p = Integer.parseInt(position);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("position", "attachment");
        }
        String[] found = leases.attachment(workerId, runId, p)
                .orElseThrow(() -> ApiException.notFound("position", "attachment"));
        return new AttachmentBytes(blobs.read(found[0]), found[1]);
    }

    public void sandboxStopped(Principal caller, String workerId, String runId) {
        owned(caller, workerId);
        leases.sandboxStopped(workerId, runId);
    }

    /**
     * Extends the worker's leases and answers how each run stands. With a {@code wait}, the answer is held back
     * until one of the runs is to be stopped (a user cancelled it, or the worker no longer holds it) or the wait
     * passes — so a cancel reaches the worker as soon as it commits, not on its next beat. The wait is cut to
     * the heartbeat interval, so the leases renewed at its start never run out while it lasts.
     */
    public HeartbeatResponse heartbeat(Principal caller, String workerId, List<String> runIds, Duration wait)
            throws InterruptedException {
        owned(caller, workerId);
        if (runIds.size() > 1024) {
            throw ApiException.badRequest("run_ids", "at most 1024 runs per heartbeat");
        }
        touch(workerId);
        long seen = bus.latest();
        List<LeaseStatus> now = leases.renew(workerId, runIds);
        Duration longest = leases.lease().dividedBy(HEARTBEAT_DIVISOR);
        long deadline = System.nanoTime() + (wait.compareTo(longest) > 0 ? longest : wait).toNanos();
        while (!runIds.isEmpty() && now.stream().noneMatch(s -> s.cancelRequested() || s.lost())) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || bus.isClosed()) {
                break;
            }
            // every cancel request and every end of a lease commits an event, which wakes this wait
            bus.awaitAfter(seen, Duration.ofNanos(left));
            seen = bus.latest();
            now = leases.statuses(workerId, runIds);
        }
        return new HeartbeatResponse(now);
    }

    /**
     * The worker's writes to a run it holds. {@code executionId} ({@code X-Drover-Execution-Id}) and
     * {@code reportId} ({@code Idempotency-Key}) are optional: with them a write is fenced to that execution and a
     * retry of a write that took effect answers the first reply again (see {@link WorkerReport}).
     */
    public ReportEventResponse appendTranscript(Principal caller, String workerId, String runId, TranscriptAppend body,
            String executionId, String reportId) {
        owned(caller, workerId);
        return new ReportEventResponse(transcripts.append(new WorkerReport(workerId, executionId, reportId), runId, body)
                .sequence());
    }

    public Map<String, String> recordArtifact(Principal caller, String workerId, String runId, ArtifactUpload upload,
            String executionId, String reportId) {
        owned(caller, workerId);
        return Map.of("artifact_uid", artifacts.record(new WorkerReport(workerId, executionId, reportId), runId, upload));
    }

    /** A repository's delivery (its commit, push result and diff) by the worker holding the run. */
    public Map<String, String> recordDelivery(Principal caller, String workerId, String runId, RepositoryDiff body,
            String executionId, String reportId) {
        owned(caller, workerId);
        return Map.of("repository", deliveries.record(new WorkerReport(workerId, executionId, reportId), runId, body));
    }

    public UsageStatus recordUsage(Principal caller, String workerId, String runId, UsageReport report,
            String executionId, String reportId) {
        owned(caller, workerId);
        return runs.recordUsage(new WorkerReport(workerId, executionId, reportId), runId, report);
    }

    private void touch(String workerId) {
        db.write(h -> h.createUpdate("UPDATE workers SET last_heartbeat_at = :now WHERE id = :id")
                .bind("now", Times.micros(clock.instant())).bind("id", workerId).execute());
    }

    /** When this node last recorded a claim of each worker as a sign of life (System.nanoTime). */
    private final Map<String, Long> claimTouched = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A claim is a sign of life too, but a busy worker claims many times a second and each record is a commit: it is
     * written at most once per {@link #CLAIM_TOUCH_INTERVAL} per node. Liveness is judged over several leases
     * (the workers list) and leases are renewed by heartbeats, never by this, so the coarser record changes nothing.
     */
    private void touchOnClaim(String workerId) {
        long now = System.nanoTime();
        Long last = claimTouched.get(workerId);
        if (last != null && now - last < CLAIM_TOUCH_INTERVAL.toNanos()) {
            return;
        }
        touch(workerId);
        claimTouched.put(workerId, now);
    }

    private Worker owned(Principal caller, String workerId) {
        requireWorkerKey(caller);
        return known(workerId).filter(w -> w.principalId().equals(caller.id()))
                .orElseThrow(() -> ApiException.notFound("workerId", "worker"));
    }

    /**
     * A registered worker's id, owner and pool: never changed and never deleted once written, so a node keeps what
     * it has read (every claim and heartbeat of a worker starts here) and each node's copy stays exact.
     * Unknown ids are not kept: they are read again, and found once registered.
     */
    private Optional<Worker> known(String workerId) {
        Worker cached = registered.getIfPresent(workerId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Worker> read = db.readOne(h -> h.createQuery("SELECT id, principal_id, pool FROM workers WHERE id = :id")
                .bind("id", workerId)
                .map((rs, ctx) -> new Worker(rs.getString(1), rs.getString(2), rs.getString(3)))
                .findOne());
        read.ifPresent(w -> registered.put(workerId, w));
        return read;
    }

    private static void requireWorkerKey(Principal caller) {
        if (!caller.worker()) {
            throw ApiException.forbidden("Authorization: this endpoint needs a worker key (drover keys create --worker)");
        }
    }

    private WorkerInfo info(String id) {
        int leaseSeconds = (int) leases.lease().toSeconds();
        return db.readOne(h -> h.createQuery("""
                        SELECT w.id, w.name, w.pool, w.slots, w.host, w.registered_at, w.last_heartbeat_at,
                               (SELECT COUNT(*) FROM runs r WHERE r.worker_id = w.id
                                AND r.state IN <held>) AS active, w.isolation
                        FROM workers w WHERE w.id = :id""")
                .define("held", RunTransitions.HELD_SQL).bind("id", id)
                .map((rs, ctx) -> new WorkerInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getString(5), Times.instant(rs.getLong(6)), Times.instant(rs.getLong(7)), rs.getInt(8),
                        leaseSeconds, Math.max(1, leaseSeconds / HEARTBEAT_DIVISOR), rs.getString(9)))
                .one());
    }
}
