package dev.drover.api;

import java.time.Instant;
import java.util.List;

/**
 * A run handed to a worker, leased until {@code lease_expires_at} unless heartbeats extend it. {@code history} is
 * the conversation so far when the run continues one ({@code conversation_id}): the earlier runs' transcripts.
 * {@code run_token} is the run-scoped API token for the agent: it acts as the run's creator until the run ends.
 * {@code attachments} are the files sent with the prompt, to be written into the workspace. {@code environment}
 * is the run's {@code config.environment_id} resolved (null without one, or when it was deleted since).
 */
public record ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history,
        String runToken, List<AttachmentRef> attachments, RunEnvironment environment) {

    public ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history, String runToken,
            List<AttachmentRef> attachments) {
        this(run, leaseExpiresAt, attempt, history, runToken, attachments, null);
    }

    public ClaimedRun withEnvironment(RunEnvironment env) {
        return new ClaimedRun(run, leaseExpiresAt, attempt, history, runToken, attachments, env);
    }
}
