package dev.drover.api;

import java.time.Instant;
import java.util.List;

/** The wire records of {@code /webhooks}, a Drover extension (snake_case on the wire, like every Drover record). */
public final class WebhookRecords {
    private WebhookRecords() {}

    /** {@code POST /webhooks}. {@code team}: whose runs it follows; by default as for schedules. */
    public record CreateWebhookRequest(String url, List<String> eventTypes, String description, Boolean team) {}

    /**
     * A webhook as the API shows it; {@code secret} only in the reply that created it.
     *
     * @param consecutiveFailures failed attempts since the last successful one (disables at the configured limit)
     */
    public record WebhookItem(String id, String url, String description, List<String> eventTypes, Scope scope,
            boolean enabled, String disabledReason, int consecutiveFailures, String createdBy, Instant createdAt,
            Instant updatedAt, String secret) {

        public WebhookItem withSecret(String issued) {
            return new WebhookItem(id, url, description, eventTypes, scope, enabled, disabledReason,
                    consecutiveFailures, createdBy, createdAt, updatedAt, issued);
        }
    }

    /** A page of webhooks, oldest first; {@code page_info.next_cursor} continues it. */
    public record ListWebhooksResponse(List<WebhookItem> webhooks, PageInfo pageInfo) {}

    public record DeleteWebhookResponse(boolean success) {}

    /**
     * One event for one webhook, and how sending it went.
     *
     * @param id the {@code webhook-id} header, the same on every attempt
     * @param status {@code pending} (due at {@code next_attempt_at}), {@code succeeded} or {@code failed} (gave up)
     * @param attemptHistory every recorded attempt, oldest first; only in {@code GET .../deliveries/{deliveryId}}
     */
    public record DeliveryItem(String id, String webhookId, String eventType, long eventSequence, String runId,
            String status, int attempts, Instant nextAttemptAt, Instant lastAttemptAt, Integer responseStatus,
            Long latencyMs, String error, Instant createdAt, List<DeliveryAttempt> attemptHistory) {

        public DeliveryItem withAttemptHistory(List<DeliveryAttempt> history) {
            return new DeliveryItem(id, webhookId, eventType, eventSequence, runId, status, attempts, nextAttemptAt,
                    lastAttemptAt, responseStatus, latencyMs, error, createdAt, history);
        }
    }

    /**
     * One attempt at a delivery.
     *
     * @param responseStatus the receiver's HTTP status; null when there was no answer (refused target, timeout)
     */
    public record DeliveryAttempt(Instant attemptedAt, Integer responseStatus, long latencyMs, String error,
            boolean succeeded) {}

    /** A page of a webhook's deliveries, newest first; {@code page_info.next_cursor} continues it. */
    public record ListDeliveriesResponse(List<DeliveryItem> deliveries, PageInfo pageInfo) {}

    /** The body POSTed to the target, Standard Webhooks style. */
    public record Payload(String type, Instant timestamp, PayloadData data) {}

    /** The event, and the run as it was when the delivery was created. */
    public record PayloadData(RunEvent event, RunItem run) {}
}
