package dev.drover.server.runs;

import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RunEvent;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunState;
import dev.drover.api.RunStatusMessage;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.EnvironmentLinks;
import dev.drover.server.eventlog.Appended;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.store.Database;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Every change of a run's state: cancellation, what workers and LOCAL clients report, Drover's own moves, a claim's
 * first steps and a follow-up's new turn. Each checks {@link RunTransitions}, compares-and-sets the row and appends
 * its event in the same transaction.
 */
final class RunStateChanges {
    private final Database db;
    private final RunRepository repo;
    private final EventLog events;
    private final Clock clock;
    private final RunQueries queries;

    RunStateChanges(Database db, RunRepository repo, EventLog events, Clock clock, RunQueries queries) {
        this.db = db;
        this.repo = repo;
        this.events = events;
        this.clock = clock;
        this.queries = queries;
    }

    /** {@code POST /agent/runs/{id}/cancel}: the spec's answers for every state. */
    public String cancel(Principal caller, String runId) {
        return db.write(h -> {
            RunRow run = queries.visible(h, caller, runId, "runId");
            if (run.executionLocation() == RunExecutionLocation.LOCAL) {
                throw ApiException.unsupported("runId: run is executed locally by its client and cannot be cancelled here");
            }
            switch (run.state()) {
                case QUEUED -> transition(h, run, RunState.CANCELLED,
                        new RunStatusMessage("Cancelled by " + caller.displayName() + " before it started", null, null),
                        null);
                case PENDING -> throw ApiException.conflict(
                        "runId: run is being prepared (PENDING) and cannot be cancelled yet; retry in a moment", true);
                case CLAIMED, INPROGRESS -> {
                    if (repo.requestCancel(h, run.id(), run.state())) {
                        events.append(h, run.id(), "run_cancel_requested", null, null, clock.instant());
                    }
                }
                default -> throw ApiException.badRequest("runId", "run is already " + run.state() + " and cannot be cancelled");
            }
            return run.id();
        });
    }

    /**
     * Applies a state change reported through {@code POST /agent/events/{runId}}; illegal moves are 409.
     */
    public RunEvent report(Principal caller, String runId, String eventType, String executionId, String refId,
            RunStatusMessage reported) {
        // a run-scoped token never gets here: RunTokenLane refuses it every lifecycle report (an agent does not say
        // how its own run, or any other, ended — its worker or its client does)
        RunState to = RunTransitions.targetOfReported(eventType).orElseThrow(() -> ApiException.badRequest(
                "event_type", "unknown value \"" + eventType + "\"; one of "
                        + String.join(", ", RunTransitions.REPORTABLE.stream().sorted().toList())));
        if (executionId != null && (executionId.isBlank() || executionId.length() > 255)) {
            throw ApiException.badRequest("execution_id", "must be 1 to 255 characters");
        }
        // grouped: the reports of many workers share a commit (and on PostgreSQL the counter's hold over its WAL
        // flush) instead of committing one after the other
        return db.writeGrouped(h -> {
            RunRow run = queries.visible(h, caller, runId, "runId");
            if (caller.worker()) {
                fence(run, executionId);
            } else if (run.executionLocation() == RunExecutionLocation.REMOTE) {
                // a worker executes it: only that worker's execution says how it goes (a user stops it with cancel)
                throw ApiException.forbidden("runId: the lifecycle of a REMOTE run is reported by the worker holding "
                        + "its lease; stop it with POST /agent/runs/" + run.id() + "/cancel");
            }
            RunStatusMessage status = reported != null ? reported : switch (to) {
                case ERROR -> new RunStatusMessage("Reported as errored by its client", PlatformErrorCode.INTERNAL_ERROR, true);
                case CANCELLED -> new RunStatusMessage("Reported as cancelled by its client", null, null);
                default -> null;
            };
            if (status != null && (status.message() == null || status.message().isBlank())) {
                throw ApiException.badRequest("status_message.message", "is required");
            }
            Instant now = clock.instant();
            if (run.state() == to && executionId != null) {
                // a retried report whose first attempt took effect (its answer was lost): the same answer again
                Optional<Appended> earlier = events.latest(h, run.id(), eventType, executionId);
                if (earlier.isPresent()) {
                    renewLocalLease(h, run, to, now);
                    return earlier.get();
                }
            }
            if (run.executionLocation() == RunExecutionLocation.LOCAL && run.state() == RunState.INPROGRESS
                    && to == RunState.INPROGRESS) {
                // a LOCAL run's client saying it is still there: the keep-alive that renews its lease
                renewLocalLease(h, run, to, now);
                return events.latest(h, run.id(), eventType, null).orElseThrow();
            }
            if (caller.worker() && run.state().isTerminal()) {
                throw ApiException.conflict("event_type: the run already ended " + run.state()
                        + "; this execution's report is not the one that ended it", false);
            }
            Appended event = transition(h, run, to, status, executionId, refId);
            renewLocalLease(h, run, to, now);
            return event;
        }).event();
    }

    /** A LOCAL run in progress holds a lease that each event its client reports renews (and that ends with it). */
    private void renewLocalLease(Handle h, RunRow run, RunState to, Instant now) {
        if (run.executionLocation() != RunExecutionLocation.LOCAL) {
            return;
        }
        h.createUpdate("UPDATE runs SET lease_expires_at = :until WHERE id = :id")
                .bind("until", to == RunState.INPROGRESS ? Times.micros(now.plus(Runs.LOCAL_LEASE)) : null)
                .bind("id", run.id()).execute();
    }

    /**
     * A worker reports for the execution it was handed (the claim's {@code execution_id}), and only that execution
     * may move the run: after a lease expired and the run was claimed again (by another worker, or by the same one)
     * the old execution's reports are refused, 409, not retryable — its worker must stop and report nothing more.
     */
    private static void fence(RunRow run, String executionId) {
        if (executionId == null) {
            throw ApiException.badRequest("execution_id",
                    "is required when a worker reports: the execution_id of the claim that handed it the run");
        }
        String current = run.workerId() == null ? null : WorkerReport.executionId(run.workerId(), run.attempts());
        if (!executionId.equals(current)) {
            throw ApiException.conflict("execution_id: " + executionId + " no longer holds this run (it was handed to "
                    + "another execution after its lease expired); stop it and report nothing more", false);
        }
        if (run.state() == RunState.QUEUED) {
            throw ApiException.conflict("execution_id: " + executionId + " lost this run's lease and the run was queued "
                    + "again; stop it and report nothing more", false);
        }
    }

    /**
     * A state change made by Drover itself (dispatch, workers, lease expiry) rather than by a caller: the same
     * table, compare-and-set and event as every other path.
     */
    public RunEvent advance(String runId, RunState to, RunStatusMessage status) {
        return db.write(h -> transition(h, repo.find(h, runId)
                .orElseThrow(() -> ApiException.notFound("runId", "run")), to, status, null, null)).event();
    }

    private Appended transition(Handle h, RunRow run, RunState to, RunStatusMessage status, String executionId) {
        return transition(h, run, to, status, executionId, null);
    }

    /**
     * The one way a run changes state: check the table, compare-and-set, append the event, all in {@code h}. The
     * event's sequence is known once the write has returned (in a group-commit batch it is given at its end).
     */
    Appended transition(Handle h, RunRow run, RunState to, RunStatusMessage status, String executionId, String refId) {
        if (!RunTransitions.allowed(run.executionLocation(), run.state(), to)) {
            throw ApiException.conflict("event_type: a " + run.state() + " run cannot become " + to, false);
        }
        Instant now = clock.instant();
        Long started = to == RunState.INPROGRESS ? Times.micros(now) : null;
        if (!repo.compareAndSet(h, run.id(), run.state(), to, status == null ? null : JsonColumns.write(status), started,
                Times.micros(now))) {
            RunState current = repo.find(h, run.id()).map(RunRow::state).orElse(run.state());
            throw ApiException.conflict("event_type: run changed concurrently; it is now " + current, true);
        }
        // the environment's setup_failed follows the latest run whose setup finished, in this same transaction
        if (run.environmentId() != null && to == RunState.INPROGRESS) {
            EnvironmentLinks.setupSucceeded(h, run.environmentId(), Times.micros(now));
        } else if (run.environmentId() != null && to == RunState.FAILED && status != null
                && status.errorCode() == PlatformErrorCode.ENVIRONMENT_SETUP_FAILED) {
            EnvironmentLinks.setupFailed(h, run.environmentId());
        }
        Appended event = events.appendAtCommit(h, run.id(), RunTransitions.eventFor(run.state(), to), refId,
                executionId, now, EventLog.RunRowHeld.LOCKED); // by the compare-and-set
        if (run.state() == RunState.INPROGRESS && CONTINUED_AFTER.contains(to)
                && run.executionLocation() == RunExecutionLocation.REMOTE && hasUnreadFollowups(h, run.id())) {
            // a follow-up came while the agent was finishing its turn and was never read: it is not lost, the run
            // takes another turn for it at once (in this transaction, so no reader sees it ended with it unread)
            continueRun(h, repo.find(h, run.id()).orElseThrow(), null, "Continued by a follow-up that arrived as "
                    + "its previous turn ended");
        }
        return event;
    }

    /**
     * A claim's state change, QUEUED → PENDING (and → CLAIMED with {@code accept}), as one compare-and-set that also
     * leases the run to {@code workerId}; then one event per step, in this same transaction. Neither step has the
     * side effects {@link #transition} looks after (environment links, follow-ups), so only the table and the
     * events are left to it. False when the run is no longer QUEUED (another claimer took it).
     */
    boolean claimTransition(Handle h, RunRow queued, String workerId, Instant now, Instant leaseUntil,
            boolean accept) {
        RunState to = accept ? RunState.CLAIMED : RunState.PENDING;
        if (queued.state() != RunState.QUEUED
                || !RunTransitions.allowed(queued.executionLocation(), RunState.QUEUED, RunState.PENDING)
                || (accept && !RunTransitions.allowed(queued.executionLocation(), RunState.PENDING, RunState.CLAIMED))) {
            throw ApiException.conflict("event_type: a " + queued.state() + " run cannot become " + to, false);
        }
        if (!repo.claim(h, queued.id(), workerId, Times.micros(now), Times.micros(leaseUntil), accept)) {
            return false;
        }
        // the compare-and-set above holds the row
        events.appendAtCommit(h, queued.id(), RunTransitions.eventFor(RunState.QUEUED, RunState.PENDING), workerId, null,
                now, EventLog.RunRowHeld.LOCKED);
        if (accept) {
            events.appendAtCommit(h, queued.id(), RunTransitions.eventFor(RunState.PENDING, RunState.CLAIMED), workerId,
                    null, now, EventLog.RunRowHeld.LOCKED);
        }
        return true;
    }

    /**
     * The ends after which an unread follow-up continues a (REMOTE) run; a cancel or a lost worker stops it instead,
     * and a LOCAL run's client decides for itself what to do with its inbox.
     */
    private static final java.util.Set<RunState> CONTINUED_AFTER = java.util.EnumSet.of(RunState.SUCCEEDED,
            RunState.FAILED, RunState.BLOCKED);

    private static boolean hasUnreadFollowups(Handle h, String runId) {
        return h.createQuery("""
                        SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE recipient_id = :r AND kind = 'followup'
                        AND read_at IS NULL LIMIT 1) f""")
                .bind("r", runId).mapTo(Long.class).one() > 0;
    }

    /**
     * An ended run goes back to QUEUED for another turn ({@code run_continued}, {@code refId} the follow-up): its
     * turn counts up, its claim will hand it the conversation so far, and the next claim is a new execution (a new
     * attempt, so reports of the old one stay fenced off). The workspace of the last turn is its worker's until that
     * worker takes the run again or removes it; {@code is_sandbox_running} is false meanwhile.
     */
    Appended continueRun(Handle h, RunRow ended, String refId, String why) {
        h.createUpdate("UPDATE runs SET turn = turn + 1, sandbox_running = FALSE WHERE id = :id AND state = :state")
                .bind("id", ended.id()).bind("state", ended.state().name()).execute();
        return transition(h, ended, RunState.QUEUED, new RunStatusMessage(why, null, null), null, refId);
    }
}
