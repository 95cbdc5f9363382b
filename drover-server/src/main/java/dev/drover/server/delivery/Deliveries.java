package dev.drover.server.delivery;

import dev.drover.api.RepositoryDiff;
import dev.drover.api.RunDelivery;
import dev.drover.api.RunDiffResponse;
import dev.drover.api.RunItem;
import dev.drover.server.auth.Principal;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.WorkerReport;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;
import org.jdbi.v3.core.Handle;

/**
 * What became of runs' changes: the worker reports per repository the commit it made on the run's branch, whether
 * it was pushed, and the unified diff; stored in {@code run_deliveries} with a {@code changes_delivered} or
 * {@code delivery_failed} event in the same transaction, and read back by {@code GET /agent/runs/{id}/diff}.
 */
public final class Deliveries {
    /** The most diff text kept per repository; the worker cuts the diff there and says so ({@code truncated}). */
    public static final int MAX_DIFF_BYTES = 5 * 1024 * 1024;
    static final int MAX_ERROR_CHARS = 4096;
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Database db;
    private final EventLog events;
    private final Runs runs;
    private final Clock clock;
    private final DeliverySettings settings;

    public Deliveries(Database db, EventLog events, Runs runs, Clock clock, DeliverySettings settings) {
        this.db = db;
        this.events = events;
        this.runs = runs;
        this.clock = clock;
        this.settings = settings;
    }

    public DeliverySettings settings() {
        return settings;
    }

    /**
     * What the worker claiming {@code run} is to do with its changes: the branch, author, whether a failed run is
     * delivered too (the run's {@code deliver_on_failure}, else its environment's), and the heads earlier
     * executions pushed (a follow-up replaces only those), and the credential: the environment's {@code git_secret},
     * else (null) the worker's own token.
     */
    public RunDelivery forClaim(RunItem run, Boolean environmentDeliversOnFailure, String gitSecret) {
        Boolean own = run.agentConfig() == null ? null : run.agentConfig().deliverOnFailure();
        boolean onFailure = own != null ? own : Boolean.TRUE.equals(environmentDeliversOnFailure);
        Map<String, String> heads = new LinkedHashMap<>();
        db.readOne(h -> h.createQuery("""
                        SELECT repository, head_commit FROM run_deliveries WHERE run_id = :r AND pushed = TRUE
                        ORDER BY repository""")
                .bind("r", run.runId())
                .map((rs, ctx) -> heads.put(rs.getString(1), rs.getString(2))).list());
        return new RunDelivery(settings.branchFor(run.runId()), settings.commitAuthor(), onFailure, run.sessionLink(),
                heads, gitSecret);
    }

    /**
     * The environment as the worker needs it to deliver: each repository is pushed back to where it was cloned from
     * and proposed through the configured forge.
     */
    public dev.drover.api.RunEnvironment withTargets(dev.drover.api.RunEnvironment e) {
        if (e == null) {
            return null;
        }
        return new dev.drover.api.RunEnvironment(e.uid(), e.name(), e.dockerImage(), e.repos().stream()
                .map(r -> new dev.drover.api.RunEnvironment.Repository(r.owner(), r.repo(), r.cloneUrl(), r.cloneUrl(),
                        settings.forge(), settings.forgeApiUrl()))
                .toList(), e.setupCommands(), e.secrets(), e.deliverOnFailure(), e.gitSecret());
    }

    /** Records a worker's report of one repository's delivery (fenced to the execution holding the run). */
    public String record(WorkerReport report, String runId, RepositoryDiff d) {
        validate(d);
        boolean ok = d.pushed() && d.deliveryError() == null;
        return db.write(h -> {
            Optional<String> earlier = report.replay(h, runId);
            if (earlier.isPresent()) {
                return earlier.get();
            }
            report.requireHolder(h, runId);
            Instant now = clock.instant();
            h.createUpdate("DELETE FROM run_deliveries WHERE run_id = :r AND repository = :repo")
                    .bind("r", runId).bind("repo", d.repository()).execute();
            h.createUpdate("""
                            INSERT INTO run_deliveries (run_id, repository, base_commit, head_commit, branch,
                                files_changed, insertions, deletions, truncated, diff, pushed, delivery_error,
                                execution_id, updated_at)
                            VALUES (:r, :repo, :base, :head, :branch, :files, :ins, :del, :truncated, :diff, :pushed,
                                :error, :exec, :now)""")
                    .bind("r", runId).bind("repo", d.repository()).bind("base", d.baseCommit())
                    .bind("head", d.headCommit()).bind("branch", d.branch()).bind("files", d.filesChanged())
                    .bind("ins", d.insertions()).bind("del", d.deletions()).bind("truncated", d.truncated())
                    .bind("diff", d.diff()).bind("pushed", d.pushed()).bind("error", d.deliveryError())
                    .bind("exec", report.executionId()).bind("now", Times.micros(now)).execute();
            report.remember(h, runId, d.repository(), now);
            events.append(h, runId, ok ? "changes_delivered" : "delivery_failed", d.repository(),
                    report.executionId(), now);
            return d.repository();
        });
    }

    private static void validate(RepositoryDiff d) {
        if (d.repository() == null || !REPOSITORY.matcher(d.repository()).matches()) {
            throw ApiException.badRequest("repository", "owner/repo of the run's environment");
        }
        if (d.baseCommit() == null || !COMMIT.matcher(d.baseCommit()).matches()) {
            throw ApiException.badRequest("base_commit", "a full commit id (40 lowercase hex digits)");
        }
        if (d.headCommit() == null || !COMMIT.matcher(d.headCommit()).matches()) {
            throw ApiException.badRequest("head_commit", "a full commit id (40 lowercase hex digits)");
        }
        if (d.branch() == null || d.branch().length() > 255 || !Repository.isValidRefName("refs/heads/" + d.branch())) {
            throw ApiException.badRequest("branch", "a valid git branch name of at most 255 characters");
        }
        count("files_changed", d.filesChanged());
        count("insertions", d.insertions());
        count("deletions", d.deletions());
        if (d.truncated() == null) {
            throw ApiException.badRequest("truncated", "is required");
        }
        if (d.pushed() == null) {
            throw ApiException.badRequest("pushed", "is required");
        }
        if (d.diff() == null) {
            throw ApiException.badRequest("diff", "is required (the unified diff, possibly empty)");
        }
        if (d.diff().getBytes(StandardCharsets.UTF_8).length > MAX_DIFF_BYTES) {
            throw ApiException.badRequest("diff", "at most " + MAX_DIFF_BYTES + " bytes; cut it and set truncated");
        }
        if (d.deliveryError() != null) {
            Text.maxChars("delivery_error", d.deliveryError(), MAX_ERROR_CHARS);
        }
    }

    private static void count(String field, Integer n) {
        if (n == null || n < 0) {
            throw ApiException.badRequest(field, "a count of 0 or more is required");
        }
    }

    /** The run's diffs, one per repository with changes, by repository name; 404 for a run the caller cannot see. */
    public RunDiffResponse diff(Principal caller, String runId) {
        Runs.RunView run = runs.view(caller, runId, "runId");
        return new RunDiffResponse(db.readOne(h -> rows(h, run.id())));
    }

    /** The run's changes as one patch (each repository's diff in turn, as {@code git format-patch} users apply them). */
    public String patch(Principal caller, String runId) {
        StringBuilder out = new StringBuilder();
        for (RepositoryDiff d : diff(caller, runId).repos()) {
            out.append(d.diff());
        }
        return out.toString();
    }

    private static List<RepositoryDiff> rows(Handle h, String runId) {
        return h.createQuery("""
                        SELECT repository, base_commit, head_commit, branch, files_changed, insertions, deletions,
                               truncated, diff, pushed, delivery_error
                        FROM run_deliveries WHERE run_id = :r ORDER BY repository""")
                .bind("r", runId)
                .map((rs, ctx) -> new RepositoryDiff(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getBoolean(8), rs.getString(9),
                        rs.getBoolean(10), rs.getString(11)))
                .list();
    }
}
