package dev.drover.server.webhooks;

import java.time.Duration;
import java.util.Map;

/**
 * How webhooks are delivered, from the server's environment ({@code DROVER_WEBHOOK_*}; see the README).
 *
 * @param allowPrivate whether targets on private, loopback and link-local addresses may be used (tests, labs)
 * @param timeout one attempt's limit: connecting, sending and reading the response's status line
 * @param retryBase the wait after a first failed attempt; it doubles with every further failure
 * @param retryMax the longest wait between two attempts
 * @param maxAttempts attempts of one delivery before it is given up as failed
 * @param disableAfter consecutive failed attempts (across deliveries) that disable the webhook; 0 never disables
 * @param interval how often each node looks for events to fan out and deliveries that are due
 * @param retention how long succeeded and failed deliveries stay in the delivery log
 */
public record WebhookSettings(boolean allowPrivate, Duration timeout, Duration retryBase, Duration retryMax,
        int maxAttempts, int disableAfter, Duration interval, Duration retention) {

    public static final WebhookSettings DEFAULTS = new WebhookSettings(false, Duration.ofSeconds(10),
            Duration.ofSeconds(5), Duration.ofHours(1), 12, 30, Duration.ofSeconds(1), Duration.ofDays(30));

    public static WebhookSettings fromEnv(Map<String, String> env) {
        String allow = env.get("DROVER_WEBHOOK_ALLOW_PRIVATE");
        if (allow != null && !allow.isBlank() && !allow.strip().equalsIgnoreCase("true")
                && !allow.strip().equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("DROVER_WEBHOOK_ALLOW_PRIVATE: must be true or false, not " + allow);
        }
        return new WebhookSettings(
                allow != null && allow.strip().equalsIgnoreCase("true"),
                millis(env, "DROVER_WEBHOOK_TIMEOUT_MS", DEFAULTS.timeout, 1),
                millis(env, "DROVER_WEBHOOK_RETRY_BASE_MS", DEFAULTS.retryBase, 1),
                millis(env, "DROVER_WEBHOOK_RETRY_MAX_MS", DEFAULTS.retryMax, 1),
                (int) number(env, "DROVER_WEBHOOK_MAX_ATTEMPTS", DEFAULTS.maxAttempts, 1),
                (int) number(env, "DROVER_WEBHOOK_DISABLE_AFTER", DEFAULTS.disableAfter, 0),
                millis(env, "DROVER_WEBHOOK_INTERVAL_MS", DEFAULTS.interval, 10),
                Duration.ofDays(number(env, "DROVER_WEBHOOK_RETENTION_DAYS", DEFAULTS.retention.toDays(), 1)));
    }

    /**
     * How long a node holds a claimed delivery before another may try it: longer than an attempt can take, so a
     * live node's attempt is never repeated by another, yet short enough that a dead node's is retried soon.
     */
    public Duration lease() {
        return timeout.plusSeconds(10);
    }

    private static Duration millis(Map<String, String> env, String name, Duration fallback, long min) {
        return Duration.ofMillis(number(env, name, fallback.toMillis(), min));
    }

    private static long number(Map<String, String> env, String name, long fallback, long min) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.strip());
            if (value < min || value > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": must be a whole number from " + min + ", not " + raw);
        }
    }
}
