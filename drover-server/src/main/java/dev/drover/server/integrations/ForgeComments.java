package dev.drover.server.integrations;

import dev.drover.api.RunItem;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Times;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comments posted back on the triggering issue or pull request, durable in {@code forge_comments}: the
 * session-link comment is written pending in the run's own transaction, the outcome comment waiting; a pass turns a
 * waiting one pending (with its text) in the transaction that sees its run ended, and another pass sends what is
 * due. Sending follows the outbound webhooks' scheme: claim with a lease and a token (SKIP LOCKED, so nodes share the
 * work), record the attempt only while the token is still the comment's, retry with backoff and jitter, give up after
 * the configured attempts with a {@code forge_comment_failed} event on the run. A comment recorded as sent is never
 * sent again; without forge access nothing is posted and the comment is recorded as skipped.
 */
final class ForgeComments {
    private static final Logger LOG = LoggerFactory.getLogger(ForgeComments.class);
    static final int BATCH = 20;

    private final Database db;
    private final Runs runs;
    private final EventLog events;
    private final InboundSettings settings;
    private final CommentSender sender; // null: no forge access configured
    private final String noAccessReason;
    private final Clock clock;
    private final MeterRegistry metrics;

    ForgeComments(Database db, Runs runs, EventLog events, InboundSettings settings, CommentSender sender,
            String noAccessReason, Clock clock, MeterRegistry metrics) {
        this.metrics = metrics;
        this.db = db;
        this.runs = runs;
        this.events = events;
        this.settings = settings;
        this.sender = sender;
        this.noAccessReason = noAccessReason;
        this.clock = clock;
    }

    /** In the run's creation transaction: the session-link comment, due now, and the outcome comment, waiting. */
    void enqueue(Handle h, Trigger t, RunItem run) {
        long now = Times.micros(clock.instant());
        insert(h, t, run.runId(), "started", Comments.started(run), "pending", now);
        insert(h, t, run.runId(), "outcome", null, "waiting", null);
    }

    private void insert(Handle h, Trigger t, String runId, String kind, String body, String status, Long due) {
        long now = Times.micros(clock.instant());
        h.createUpdate("""
                        INSERT INTO forge_comments (id, run_id, kind, forge, project, target, number, body, status,
                            attempts, next_attempt_at, created_at, updated_at)
                        VALUES (:id, :run, :kind, :forge, :project, :target, :number, :body, :status, 0, :due, :now,
                            :now)""")
                .bind("id", Ids.uuid()).bind("run", runId).bind("kind", kind).bind("forge", t.forge().wire)
                .bind("project", t.project()).bind("target", t.target()).bind("number", t.number())
                .bind("body", body).bind("status", status).bind("due", due).bind("now", now).execute();
    }

    /**
     * Outcome comments whose run has ended become pending, with the outcome as their text: a compare-and-set on
     * {@code status = 'waiting'}, so two nodes observing the same end write it once. Returns how many it readied.
     */
    int observeEnds() {
        List<String[]> waiting = db.readOne(h -> h.createQuery("""
                        SELECT id, run_id FROM forge_comments WHERE status = 'waiting'
                        ORDER BY created_at LIMIT 500""")
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list());
        int readied = 0;
        for (String[] w : waiting) {
            Optional<RunItem> ended = db.readOne(h -> runs.itemIn(h, w[1])).filter(r -> r.state().isTerminal());
            if (ended.isEmpty()) {
                continue;
            }
            readied += db.write(h -> {
                // read again inside the transaction: an artifact recorded just before the end must be in the text
                RunItem run = runs.itemIn(h, w[1]).orElseThrow();
                long now = Times.micros(clock.instant());
                return h.createUpdate("""
                                UPDATE forge_comments SET status = 'pending', body = :body, next_attempt_at = :now,
                                    updated_at = :now
                                WHERE id = :id AND status = 'waiting'""")
                        .bind("body", Comments.outcome(run)).bind("now", now).bind("id", w[0]).execute();
            });
        }
        return readied;
    }

    private record Claimed(String id, String runId, String kind, CommentSender.Target target, String body,
            int attempts, String token) {}

    /** Claims, posts and records up to a batch of due comments; returns how many were attempted. */
    int send() {
        List<Claimed> claimed = claim();
        for (Claimed c : claimed) {
            try {
                deliver(c);
            } catch (RuntimeException e) {
                // recorded nothing: the lease ends and the comment is tried again
                LOG.warn("forge comment {} of run {} could not be attempted: {}", c.id(), c.runId(), e.toString());
            }
        }
        return claimed.size();
    }

    private List<Claimed> claim() {
        String token = Ids.uuid();
        long now = Times.micros(clock.instant());
        long leaseEnd = Times.micros(clock.instant().plus(settings.lease()));
        return db.write(h -> {
            List<String> ids = h.createQuery("""
                            SELECT id FROM forge_comments WHERE status = 'pending' AND next_attempt_at <= :now
                            ORDER BY next_attempt_at LIMIT <limit>""" + db.dialect().skipLocked())
                    .bind("now", now).define("limit", BATCH).mapTo(String.class).list();
            if (ids.isEmpty()) {
                return List.of();
            }
            h.createUpdate("UPDATE forge_comments SET next_attempt_at = :lease, claim_token = :token WHERE id IN (<ids>)")
                    .bind("lease", leaseEnd).bind("token", token).bindList("ids", ids).execute();
            return h.createQuery("""
                            SELECT id, run_id, kind, forge, project, target, number, body, attempts
                            FROM forge_comments WHERE id IN (<ids>) ORDER BY next_attempt_at, created_at""")
                    .bindList("ids", ids)
                    .map((rs, ctx) -> new Claimed(rs.getString("id"), rs.getString("run_id"), rs.getString("kind"),
                            new CommentSender.Target(rs.getString("forge"),
                                    rs.getString("project"), rs.getString("target"), rs.getLong("number")),
                            rs.getString("body"), rs.getInt("attempts"), token))
                    .list();
        });
    }

    private void deliver(Claimed c) {
        if (sender == null || !sender.serves(c.target().forge())) {
            String why = sender == null ? noAccessReason : "no forge access configured for " + c.target().forge()
                    + " (DROVER_FORGE names another forge)";
            finish(c, "skipped", null, why, "forge_comment_skipped", c.kind());
            return;
        }
        URI posted;
        try {
            posted = sender.post(c.target(), c.body());
        } catch (CommentSender.Failure failure) {
            int attempts = c.attempts() + 1;
            if (!failure.retryable() || attempts >= settings.maxAttempts()) {
                LOG.warn("forge comment {} of run {} given up after {} attempt(s): {}", c.kind(), c.runId(), attempts,
                        failure.getMessage());
                finish(c, "failed", null, failure.getMessage(), "forge_comment_failed", c.kind());
            } else {
                metrics.counter("drover.integrations.comments", "outcome", "retried").increment();
                retryLater(c, attempts, failure.getMessage());
            }
            return;
        }
        finish(c, "sent", posted.toString(), null, "forge_comment_posted", posted.toString());
    }

    /** The attempt's end and its event on the run, in one transaction, if this node's claim still holds. */
    private void finish(Claimed c, String status, String url, String error, String eventType, String refId) {
        db.write(h -> {
            int updated = h.createUpdate("""
                            UPDATE forge_comments SET status = :status, attempts = attempts + 1, next_attempt_at = NULL,
                                claim_token = NULL, comment_url = :url, last_error = :error, updated_at = :now
                            WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                    .bind("status", status).bind("url", url).bind("error", shorten(error))
                    .bind("now", Times.micros(clock.instant())).bind("id", c.id()).bind("token", c.token()).execute();
            if (updated == 1) {
                events.append(h, c.runId(), eventType, shorten(refId), null, clock.instant());
                h.afterCommit(() -> metrics.counter("drover.integrations.comments", "outcome", status).increment());
            }
            return null;
        });
    }

    private void retryLater(Claimed c, int attempts, String error) {
        db.write(h -> h.createUpdate("""
                        UPDATE forge_comments SET attempts = :attempts, next_attempt_at = :next, claim_token = NULL,
                            last_error = :error, updated_at = :now
                        WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .bind("attempts", attempts).bind("next", Times.micros(clock.instant().plus(backoff(attempts))))
                .bind("error", shorten(error)).bind("now", Times.micros(clock.instant()))
                .bind("id", c.id()).bind("token", c.token()).execute());
    }

    /** Exponential from the base, capped, with equal jitter: as the outbound webhooks retry. */
    Duration backoff(int attempts) {
        double exp = settings.retryBase().toMillis() * Math.pow(2, attempts - 1);
        long wait = (long) Math.min(settings.retryMax().toMillis(), exp);
        return Duration.ofMillis(wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1));
    }

    private static String shorten(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
    }
}
