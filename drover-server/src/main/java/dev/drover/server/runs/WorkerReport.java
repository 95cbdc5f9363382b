package dev.drover.server.runs;

import dev.drover.server.http.ApiException;
import dev.drover.server.store.Times;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Who makes a worker's write to a run (transcript, artifact, usage) and what makes its retry harmless.
 * {@code executionId} is the claim's execution id ({@code <worker id>:<attempt>}, see {@link #executionId}); when
 * given, the write is refused unless that very execution holds the run, so a worker that lost a run and got it
 * again cannot write into the new attempt from the old one. {@code reportId} (the request's
 * {@code Idempotency-Key}) is remembered with the reply in the write's own transaction: a worker retries a report
 * whose answer it never got (the server may have committed it and died before answering), and the repeat gets the
 * first answer instead of a second transcript entry, artifact or usage charge.
 */
public record WorkerReport(String workerId, String executionId, String reportId) {
    public WorkerReport {
        if (reportId != null && (reportId.isBlank() || reportId.length() > 255)) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1 to 255 characters");
        }
    }

    public static WorkerReport of(String workerId) {
        return new WorkerReport(workerId, null, null);
    }

    /** The execution id of attempt {@code attempt} of a run by {@code workerId}: what fences a worker's reports. */
    public static String executionId(String workerId, int attempt) {
        return workerId + ":" + attempt;
    }

    /** Inside the write's transaction: the reply this report got when it was first applied, if it was. */
    public Optional<String> replay(Handle h, String runId) {
        if (reportId == null) {
            return Optional.empty();
        }
        return h.createQuery("SELECT reply_json FROM worker_report_replays WHERE run_id = :r AND report_id = :k")
                .bind("r", runId).bind("k", reportId).mapTo(String.class).findOne();
    }

    /** Refuses (404) unless this worker, and this execution when named, holds the run's lease. */
    public void requireHolder(Handle h, String runId) {
        Runs.requireHeldBy(h, workerId, runId);
        if (executionId != null) {
            int attempt = h.createQuery("SELECT attempts FROM runs WHERE id = :r").bind("r", runId)
                    .mapTo(Integer.class).one();
            if (!executionId.equals(executionId(workerId, attempt))) {
                throw ApiException.notFound("runId", "run held by this execution (" + executionId + ")");
            }
        }
    }

    /** Records the reply, in the same transaction as the write it answers. */
    public void remember(Handle h, String runId, String replyJson, Instant now) {
        if (reportId == null) {
            return;
        }
        h.createUpdate("""
                        INSERT INTO worker_report_replays (run_id, report_id, reply_json, created_at)
                        VALUES (:r, :k, :reply, :now)""")
                .bind("r", runId).bind("k", reportId).bind("reply", replyJson).bind("now", Times.micros(now)).execute();
    }
}
