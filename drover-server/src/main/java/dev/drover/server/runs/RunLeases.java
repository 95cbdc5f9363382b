package dev.drover.server.runs;

import dev.drover.api.AttachmentRef;
import dev.drover.api.ClaimedRun;
import dev.drover.api.LeaseStatus;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RunState;
import dev.drover.api.RunStatusMessage;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.ApiKeys;
import dev.drover.server.http.ApiException;
import dev.drover.server.store.Database;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * Runs as seen by the execution plane: claiming the oldest queued run of a pool under a lease, a worker
 * accepting it, heartbeats that extend leases and carry cancel requests, and expiry of leases whose worker went
 * quiet. Every change goes through the state table and appends its event in the same transaction.
 *
 * <p>Two nodes never hand one run to two workers: on PostgreSQL the claim locks the row it picks with
 * {@code FOR UPDATE SKIP LOCKED} (another claimer takes the next one instead of waiting), on SQLite writes are
 * serialised; and the state change is a compare-and-set from QUEUED either way.
 */
public final class RunLeases {
    /** Leases ended per pass of the sweeper; a full batch means another pass at once. */
    public static final int EXPIRE_BATCH = 100;

    private final Database db;
    private final Runs runs;
    private final RunRepository repo;
    private final Clock clock;
    private final Duration lease;
    private final int teamConcurrency;
    /** The pools whose last claim on this node found a run. */
    private final Set<String> busyPools = ConcurrentHashMap.newKeySet();

    public RunLeases(Database db, Runs runs, Clock clock, Duration lease, int teamConcurrency) {
        this.db = db;
        this.runs = runs;
        this.repo = new RunRepository(db);
        this.clock = clock;
        this.lease = lease;
        this.teamConcurrency = teamConcurrency;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * A claimed run as the lease layer hands it over (the claim endpoint adds the environment, model, history and
     * secrets), and the earlier runs of its conversation, oldest first, whose transcripts are its history.
     */
    public record Claim(ClaimedRun run, List<String> earlierRuns) {}

    /**
     * Hands the oldest QUEUED run of {@code pool} whose team is below its concurrency limit to {@code workerId}:
     * QUEUED → PENDING, leased until now + lease; with {@code accept}, also PENDING → CLAIMED in the same
     * transaction (both events are written), which spares a dispatch a second commit and a round trip. Empty when
     * there is none.
     */
    public Optional<Claim> claim(String workerId, String pool, boolean accept) {
        // idle claimers wake on every event: look first with a read, so only a real chance of work costs a write.
        // Not while the pool's last claim on this node found a run: under load every claim finds one and the look
        // is a statement wasted; once a claim finds the queue empty, the looks start again
        if (!busyPools.contains(pool) && !anyQueued(pool)) {
            return Optional.empty();
        }
        String token = Accounts.RUN_TOKEN_PREFIX + ApiKeys.generate().substring(ApiKeys.PREFIX.length());
        // one transaction: pick, one compare-and-set for both transitions, their events, the token, and the answer
        // built from the row as committed — no second connection, no re-reading between the steps. Grouped: the
        // claims of many workers share a commit; on PostgreSQL their events are appended at the batch's end, and
        // the row each one picked stays locked to its batch's commit, so another batch's claim skips it
        Optional<Claim> claim = db.writeGrouped(h -> {
            Optional<RunRow> picked = repo.oldestQueued(h, pool, teamConcurrency);
            if (picked.isEmpty()) {
                return Optional.<Claim>empty();
            }
            RunRow queued = picked.get();
            Instant now = clock.instant();
            // A fresh run-scoped token for the agent; an earlier claim's token dies with that claim (only claims
            // make tokens, and each counts an attempt: a run never claimed has none to delete)
            if (queued.attempts() > 0) {
                h.createUpdate("DELETE FROM run_tokens WHERE run_id = :r").bind("r", queued.id()).execute();
            }
            h.createUpdate("INSERT INTO run_tokens (token_hash, run_id, created_at) VALUES (:h, :r, :now)")
                    .bind("h", ApiKeys.hash(token)).bind("r", queued.id()).bind("now", Times.micros(now)).execute();
            if (!runs.claimTransition(h, queued, workerId, now, now.plus(lease), accept)) {
                // not reached: the row is locked (PostgreSQL) or writes are serial; if it were, the token rotation
                // above must not outlive it (it would revoke the holder's token), so this claim's statements are undone
                throw new IllegalStateException("run " + queued.id() + " changed under its claim's lock");
            }
            RunRepository.Claimed c = repo.claimed(h, queued.id());
            RunRow r = c.row();
            List<String> earlier = c.continuesConversation() ? repo.earlierInConversation(h, r.id()) : List.of();
            List<AttachmentRef> attachments = c.hasAttachments() ? attachments(h, r.id()) : List.of();
            return Optional.of(new Claim(new ClaimedRun(runs.itemOf(h, r), Times.instant(r.leaseExpiresAt()),
                    r.attempts(), null, token, attachments, null, null, null, c.skillInstructions(),
                    WorkerReport.executionId(workerId, r.attempts()), r.turn(), List.of(), null, null, c.mode()),
                    earlier));
        });
        if (claim.isPresent()) {
            busyPools.add(pool);
        } else {
            busyPools.remove(pool);
        }
        return claim;
    }

    private boolean anyQueued(String pool) {
        return db.readOne(h -> h.createQuery("""
                        SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE pool = :pool AND state = 'QUEUED'
                        AND execution_location = 'REMOTE' LIMIT 1) q""")
                .bind("pool", pool).mapTo(Long.class).one() > 0);
    }

    private static List<AttachmentRef> attachments(Handle h, String runId) {
        return h.createQuery("""
                        SELECT position, file_name, mime_type, size_bytes FROM run_attachments
                        WHERE run_id = :r ORDER BY position""")
                .bind("r", runId)
                .map((rs, ctx) -> new AttachmentRef(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
                .list();
    }

    /** The blob key and media type of a held run's attachment. */
    public Optional<String[]> attachment(String workerId, String runId, int position) {
        return db.write(h -> {
            Runs.requireHeldBy(h, workerId, runId);
            return h.createQuery("SELECT blob_key, mime_type FROM run_attachments WHERE run_id = :r AND position = :p")
                    .bind("r", runId).bind("p", position)
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).findOne();
        });
    }

    /** The worker has taken the run over: PENDING → CLAIMED. */
    public LeaseStatus accept(String workerId, String runId) {
        return db.write(h -> {
            RunRow run = held(h, workerId, runId);
            if (run.state() == RunState.PENDING) {
                takeOver(h, run, workerId);
            } else if (run.state() != RunState.CLAIMED) {
                throw ApiException.conflict("runId: run is " + run.state() + ", not PENDING", false);
            }
            return status(h, workerId, runId);
        });
    }

    /** PENDING → CLAIMED; from here the worker keeps a workspace for the run until it reports it gone. */
    private void takeOver(Handle h, RunRow pending, String workerId) {
        h.createUpdate("UPDATE runs SET sandbox_running = TRUE WHERE id = :id").bind("id", pending.id()).execute();
        runs.transition(h, pending, RunState.CLAIMED, null, null, workerId);
    }

    private RunRow held(Handle h, String workerId, String runId) {
        return repo.find(h, runId).filter(r -> workerId.equals(r.workerId()))
                .orElseThrow(() -> ApiException.notFound("runId", "run leased to this worker"));
    }

    /** The worker removed the run's workspace (after the idle timeout, or when it stopped). */
    public void sandboxStopped(String workerId, String runId) {
        int changed = db.write(h -> h.createUpdate(
                        "UPDATE runs SET sandbox_running = FALSE WHERE id = :id AND worker_id = :w")
                .bind("id", runId).bind("w", workerId).execute());
        if (changed == 0) {
            throw ApiException.notFound("runId", "run executed by this worker");
        }
    }

    /** Extends the leases of the runs {@code workerId} still holds and reports on each run it named. */
    public List<LeaseStatus> renew(String workerId, List<String> runIds) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return db.write(h -> {
            h.createUpdate("""
                            UPDATE runs SET lease_expires_at = :until
                            WHERE id IN (<ids>) AND worker_id = :w AND state IN <held>""")
                    .define("held", RunTransitions.HELD_SQL).bindList("ids", runIds).bind("w", workerId)
                    .bind("until", Times.micros(clock.instant().plus(lease))).execute();
            List<LeaseStatus> out = new ArrayList<>();
            for (String id : runIds) {
                out.add(status(h, workerId, id));
            }
            return out;
        });
    }

    /** The leases as they stand, without extending them: what a waiting heartbeat re-reads when woken. */
    public List<LeaseStatus> statuses(String workerId, List<String> runIds) {
        return db.readOne(h -> {
            List<LeaseStatus> out = new ArrayList<>();
            for (String id : runIds) {
                out.add(status(h, workerId, id));
            }
            return out;
        });
    }

    private LeaseStatus status(Handle h, String workerId, String runId) {
        return h.createQuery("SELECT state, worker_id, lease_expires_at, cancel_requested FROM runs WHERE id = :id")
                .bind("id", runId)
                .map((rs, ctx) -> {
                    RunState state = RunState.valueOf(rs.getString(1));
                    boolean mine = workerId.equals(rs.getString(2));
                    Long until = Rows.nullableLong(rs, 3);
                    boolean held = mine && until != null && !state.isTerminal() && state != RunState.QUEUED;
                    return new LeaseStatus(runId, mine ? state : null, held ? Times.instant(until) : null,
                            held && rs.getBoolean(4), !held);
                })
                .findOne()
                .orElse(new LeaseStatus(runId, null, null, false, true));
    }

    /**
     * A sweep that finds the control plane was away longer than this (the node was stopped, or its database
     * unreachable, so no pass ran) first grants every lease a grace period; see {@link #sweep}.
     */
    public static final Duration OUTAGE_GAP = Duration.ofSeconds(5);

    /** When this node last finished a sweep (System.nanoTime), 0 before its first. */
    private volatile long lastSweep;

    /**
     * The lease sweeper's pass. Leases measure how long a worker has not been heard from — but while the control
     * plane is down (no node running, or the database unreachable) no worker can be heard, and a worker that kept
     * working through the outage is retrying its reports. So the first pass of a node (a restart) and the first
     * pass after a gap of more than {@link #OUTAGE_GAP} without one (the database was away) extend every lease to at
     * least one lease length from now before expiring anything: a worker that survived the outage has a whole lease
     * to get through again, and only one that stays silent that long loses its run. The cost: a node start delays
     * the detection of a dead worker by up to one lease.
     */
    public int sweep(int max) {
        long started = System.nanoTime();
        if (lastSweep == 0 || started - lastSweep > OUTAGE_GAP.toNanos()) {
            int extended = graceAfterOutage();
            if (extended > 0) {
                org.slf4j.LoggerFactory.getLogger(RunLeases.class).info(
                        "the control plane was away: {} lease(s) extended by a grace period of {}", extended, lease);
            }
        }
        int done = expire(max);
        lastSweep = System.nanoTime(); // only after a pass that reached the database
        return done;
    }

    /** Every held lease runs until at least now + one lease. */
    int graceAfterOutage() {
        long until = Times.micros(clock.instant().plus(lease));
        return db.write(h -> h.createUpdate("""
                        UPDATE runs SET lease_expires_at = :until
                        WHERE lease_expires_at < :until AND state IN <held>""")
                .define("held", RunTransitions.HELD_SQL).bind("until", until).execute());
    }

    /**
     * Ends leases whose worker stopped heartbeating: a run not yet started goes back to the queue (nothing ran);
     * one in progress ends ERROR, retryable — an agent has side effects, so it is never replayed silently.
     * Returns how many leases it ended. Safe on every node at once: rows being expired elsewhere are skipped.
     */
    public int expire(int max) {
        long now = Times.micros(clock.instant());
        boolean anyDue = db.readOne(h -> h.createQuery("""
                        SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE lease_expires_at < :now
                        AND state IN <held> LIMIT 1) d""")
                .define("held", RunTransitions.HELD_SQL).bind("now", now).mapTo(Long.class).one() > 0);
        if (!anyDue) {
            return 0; // the common case costs one indexed read, not a write transaction every second
        }
        return db.write(h -> {
            Map<String, RunState> due = new HashMap<>();
            h.createQuery("SELECT id, state FROM runs WHERE lease_expires_at < :now"
                            + " AND state IN <held> ORDER BY lease_expires_at LIMIT <max>"
                            + db.dialect().skipLocked())
                    .define("held", RunTransitions.HELD_SQL).bind("now", Times.micros(clock.instant())).define("max", max)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), RunState.valueOf(rs.getString(2))))
                    .forEach(e -> due.put(e.getKey(), e.getValue()));
            for (Map.Entry<String, RunState> e : due.entrySet()) {
                RunRow run = repo.find(h, e.getKey()).orElseThrow();
                // the worker is gone, and with it the workspace it kept
                h.createUpdate("UPDATE runs SET sandbox_running = FALSE WHERE id = :id").bind("id", run.id()).execute();
                if (run.executionLocation() == dev.drover.api.RunExecutionLocation.LOCAL) {
                    runs.transition(h, run, RunState.ERROR, new RunStatusMessage(
                            "The client executing this LOCAL run reported nothing for " + Runs.LOCAL_LEASE.toMinutes()
                                    + " minutes; the run no longer counts against its team's concurrency.",
                            PlatformErrorCode.RESOURCE_UNAVAILABLE, true), null, null);
                } else if (run.state() == RunState.INPROGRESS) {
                    runs.transition(h, run, RunState.ERROR, new RunStatusMessage(
                            "The worker executing this run stopped responding; the run was stopped. Retry it as a new run.",
                            PlatformErrorCode.RESOURCE_UNAVAILABLE, true), null, run.workerId());
                } else {
                    runs.transition(h, run, RunState.QUEUED, new RunStatusMessage(
                            "The worker that took this run stopped responding before starting it; it was queued again.",
                            null, null), null, run.workerId());
                }
            }
            return due.size();
        });
    }
}
