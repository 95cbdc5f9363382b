package dev.drover.server.webhooks;

import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Times;
import dev.drover.server.webhooks.WebhookSender.Attempt;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the deliveries that are due. A pass claims up to a batch (SKIP LOCKED, so nodes take different ones) by
 * pushing their due time past a lease and stamping a claim token, sends them in parallel, and records each attempt
 * only if its token is still the delivery's: a node that dies mid-attempt leaves the delivery due again when the
 * lease ends (at least once), and a node that outlived its lease records nothing. Failures are retried with
 * exponential backoff and jitter up to the configured attempts; consecutive failed attempts disable the webhook.
 */
public final class WebhookDeliveries {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliveries.class);
    public static final int BATCH = 50;

    private final Database db;
    private final Clock clock;
    private final WebhookSettings settings;
    private final WebhookTargets targets;
    private final WebhookSender sender;
    private final MeterRegistry metrics;

    public WebhookDeliveries(Database db, Clock clock, WebhookSettings settings, WebhookTargets targets,
            WebhookSender sender, MeterRegistry metrics) {
        this.db = db;
        this.clock = clock;
        this.settings = settings;
        this.targets = targets;
        this.sender = sender;
        this.metrics = metrics;
    }

    private record Claimed(String id, String webhookId, String url, String secret, String payload, int attempts,
            String token) {}

    /** One pass: claims, sends and records up to a batch of due deliveries; returns how many were attempted. */
    public int pass() {
        List<Claimed> claimed = claim();
        if (claimed.isEmpty()) {
            return 0;
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sends = new java.util.ArrayList<>();
            claimed.forEach(c -> sends.add(pool.submit(() -> deliver(c))));
            for (Future<?> f : sends) {
                try {
                    f.get(settings.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // recorded nothing: the lease ends and the delivery is tried again
                    LOG.warn("webhook delivery attempt failed unexpectedly: {}", e.toString());
                } catch (InterruptedException e) {
                    // this node is stopping: unrecorded attempts are retried by whichever node runs next
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                    return claimed.size();
                }
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
                            SELECT id FROM webhook_deliveries
                            WHERE status = 'pending' AND next_attempt_at <= :now
                                AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = :yes)
                            ORDER BY next_attempt_at LIMIT <limit>""" + db.dialect().skipLocked())
                    .bind("now", now).bind("yes", true).define("limit", BATCH)
                    .mapTo(String.class).list();
            if (ids.isEmpty()) {
                return List.of();
            }
            h.createUpdate("UPDATE webhook_deliveries SET next_attempt_at = :lease, claim_token = :token"
                            + " WHERE id IN (<ids>)")
                    .bind("lease", leaseEnd).bind("token", token).bindList("ids", ids).execute();
            return h.createQuery("""
                            SELECT d.id, d.webhook_id, w.url, w.secret, d.payload, d.attempts
                            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                            WHERE d.id IN (<ids>)""")
                    .bindList("ids", ids)
                    .map((rs, ctx) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), token))
                    .list();
        });
    }

    private void deliver(Claimed c) {
        URI url = URI.create(c.url());
        long startedAt = Times.micros(clock.instant());
        Attempt attempt;
        try {
            // checked again now: the name may resolve elsewhere than it did at creation (DNS rebinding)
            List<InetAddress> addresses = targets.check(url);
            byte[] body = c.payload().getBytes(StandardCharsets.UTF_8);
            long timestamp = clock.instant().getEpochSecond();
            attempt = sender.post(url, addresses, Map.of(
                    "webhook-id", c.id(),
                    "webhook-timestamp", Long.toString(timestamp),
                    "webhook-signature", WebhookSignature.sign(c.secret(), c.id(), timestamp, body)), body);
        } catch (WebhookTargets.Refused refused) {
            attempt = new Attempt(null, 0, "refused: " + refused.getMessage());
        } catch (RuntimeException e) {
            // a bug, not the receiver's fault; recorded as a failed attempt so that it is retried and visible in the
            // log instead of waiting for the lease on every pass
            LOG.warn("webhook {}: delivery {} could not be attempted", c.webhookId(), c.id(), e);
            attempt = new Attempt(null, 0, "internal error: " + e.getClass().getSimpleName());
        }
        metrics.counter("drover.webhooks.attempts", "outcome", attempt.succeeded() ? "succeeded" : "failed")
                .increment();
        metrics.timer("drover.webhooks.latency").record(Duration.ofMillis(attempt.latencyMs()));
        record(c, startedAt, attempt);
    }

    /** The attempt's outcome, the delivery's next state and the webhook's failure count, in one transaction. */
    private void record(Claimed c, long startedAt, Attempt attempt) {
        db.write(h -> {
            // the webhook's row first, the order of every writer that touches both (delete, enable, redeliver)
            Integer failures = h.createQuery("SELECT consecutive_failures FROM webhooks WHERE id = :id"
                            + db.dialect().lockRows())
                    .bind("id", c.webhookId()).mapTo(Integer.class).findOne().orElse(null);
            if (failures == null) {
                return null; // deleted meanwhile
            }
            int attempts = c.attempts() + 1;
            boolean succeeded = attempt.succeeded();
            boolean givenUp = !succeeded && attempts >= settings.maxAttempts();
            Long next = succeeded || givenUp ? null
                    : Times.micros(clock.instant().plus(backoff(attempts)));
            int updated = h.createUpdate("""
                            UPDATE webhook_deliveries SET status = :status, attempts = :attempts,
                                next_attempt_at = :next, claim_token = NULL, last_attempt_at = :at,
                                response_status = :code, latency_ms = :latency, error = :error
                            WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                    .bind("status", succeeded ? "succeeded" : givenUp ? "failed" : "pending")
                    .bind("attempts", attempts).bind("next", next).bind("at", startedAt)
                    .bind("code", attempt.status()).bind("latency", attempt.latencyMs())
                    .bind("error", attempt.error()).bind("id", c.id()).bind("token", c.token())
                    .execute();
            if (updated == 0) {
                return null; // the lease ended and another node took it, or it was redelivered: theirs counts
            }
            h.createUpdate("""
                            INSERT INTO webhook_delivery_attempts (id, delivery_id, attempted_at, response_status,
                                latency_ms, error, succeeded)
                            VALUES (:id, :delivery, :at, :code, :latency, :error, :ok)""")
                    .bind("id", Ids.uuid()).bind("delivery", c.id()).bind("at", startedAt)
                    .bind("code", attempt.status()).bind("latency", attempt.latencyMs()).bind("error", attempt.error())
                    .bind("ok", succeeded).execute();
            recordOnWebhook(h, c.webhookId(), succeeded ? 0 : failures + 1, attempt);
            return null;
        });
    }

    private void recordOnWebhook(Handle h, String webhookId, int failures, Attempt attempt) {
        boolean disable = settings.disableAfter() > 0 && failures >= settings.disableAfter();
        h.createUpdate(disable
                        ? """
                          UPDATE webhooks SET consecutive_failures = :failures, enabled = :no, disabled_reason = :why,
                              updated_at = :now WHERE id = :id"""
                        : "UPDATE webhooks SET consecutive_failures = :failures WHERE id = :id")
                .bind("failures", failures).bind("no", false)
                .bind("why", failures + " consecutive failed attempts; the last: " + attempt.error())
                .bind("now", Times.micros(clock.instant())).bind("id", webhookId)
                .execute();
        if (disable) {
            LOG.warn("webhook {} disabled after {} consecutive failed attempts (last: {})", webhookId, failures,
                    attempt.error());
        }
    }

    /** Finished deliveries removed per pass of {@link #prune}. */
    public static final int PRUNE_BATCH = 1000;

    /**
     * Removes succeeded and failed deliveries older than the retention, oldest first, a batch at a time: the log must
     * not grow for ever. Pending ones stay whatever their age. Several nodes may prune together; a row gone is gone.
     */
    public int prune() {
        long cutoff = Times.micros(clock.instant().minus(settings.retention()));
        return db.write(h -> {
            List<String> ids = h.createQuery("""
                            SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < :cutoff
                            ORDER BY created_at LIMIT <limit>""")
                    .bind("cutoff", cutoff).define("limit", PRUNE_BATCH).mapTo(String.class).list();
            if (ids.isEmpty()) {
                return 0;
            }
            h.createUpdate("DELETE FROM webhook_delivery_attempts WHERE delivery_id IN (<ids>)").bindList("ids", ids)
                    .execute();
            return h.createUpdate("DELETE FROM webhook_deliveries WHERE id IN (<ids>)").bindList("ids", ids).execute();
        });
    }

    /**
     * The wait before attempt {@code attempts + 1}: the base doubled for every failure so far, capped, with "equal
     * jitter" (half fixed, half random) so that receivers coming back are not hit by every sender at once.
     */
    Duration backoff(int attempts) {
        double exp = settings.retryBase().toMillis() * Math.pow(2, attempts - 1); // a double cannot overflow
        long wait = (long) Math.min(settings.retryMax().toMillis(), exp);
        return Duration.ofMillis(wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1));
    }
}
