package dev.drover.server.integrations;

import java.net.URI;

/** Posts one comment on a forge; the seam between the comment queue and the forge client. */
public interface CommentSender {
    /** Where a comment goes: {@code forge} is {@code github} or {@code gitlab},
     * {@code project} {@code owner/repo} (GitLab: the full path), {@code target} {@code issue}, {@code pull_request}
     * or {@code merge_request}. */
    record Target(String forge, String project, String target, long number) {}

    /** Whether this sender can comment on {@code forge} ({@code github} or {@code gitlab}) at all. */
    boolean serves(String forge);

    /** The comment's URL; throws {@link Failure} when the forge refused it or could not be reached. */
    URI post(Target target, String body) throws Failure;

    /** A failed attempt: {@code retryable} says whether trying again may help (5xx, 429, unreachable). */
    final class Failure extends Exception {
        private final boolean retryable;

        public Failure(String message, boolean retryable) {
            super(message, null, false, false);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
