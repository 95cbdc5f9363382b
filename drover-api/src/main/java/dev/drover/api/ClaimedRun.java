package dev.drover.api;

import java.time.Instant;
import java.util.List;

/**
 * A run handed to a worker, leased until {@code lease_expires_at} unless heartbeats extend it. {@code history} is
 * the conversation so far when the run continues one ({@code conversation_id}): the earlier runs' transcripts.
 * {@code run_token} is the run-scoped API token for the agent: it acts as the run's creator until the run ends.
 * {@code attachments} are the files sent with the prompt, to be written into the workspace. {@code environment}
 * is the run's {@code config.environment_id} resolved (null without one, or when it was deleted since).
 * {@code model_id} is the model the run uses (its {@code config.model_id}, else the server's default) and
 * {@code model_provider} that model's provider in the server's catalog ({@code openai}, {@code anthropic},
 * {@code gemini} or {@code ollama}), so that workers and server agree on which provider serves a model, also one a
 * models file added. {@code skill_instructions} is the body of the run's skill with its {@code $ARGUMENTS}
 * placeholders filled from the prompt (null for a run without a skill). {@code execution_id} names this hand-over
 * of the run (worker and attempt): the worker sends it with every lifecycle report and worker write, and the
 * server refuses reports of an execution that no longer holds the run. {@code turn} counts the run's turns: 1 for
 * its first execution, one more for each follow-up that continued it after it had ended. A later turn's
 * {@code history} ends with the run's own transcript so far, its prompt was answered already, and the message the
 * turn answers waits in the run's inbox as a follow-up; the worker keeps the run's workspace when it still has it.
 * {@code secrets} are the values of the managed secrets the run uses (its environment's and its harness's), sent to
 * the worker holding the lease and nowhere else; {@code secrets_error} says why they could not all be given (a secret
 * deleted since the run was created, a key this node lacks), in which case the worker fails the run instead of
 * starting it. {@code delivery} says what becomes of the run's changes in its environment's repositories (null
 * without repositories). {@code mode} is the run's mode for the built-in harness: plan or orchestrate (null:
 * normal).
 */
public record ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history,
        String runToken, List<AttachmentRef> attachments, RunEnvironment environment, String modelId,
        String modelProvider, String skillInstructions, String executionId, Integer turn, List<RunSecret> secrets,
        String secretsError, RunDelivery delivery, String mode) {

    public ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history,
            String runToken, List<AttachmentRef> attachments, RunEnvironment environment, String modelId,
            String modelProvider, String skillInstructions, String executionId, Integer turn, List<RunSecret> secrets,
            String secretsError, RunDelivery delivery) {
        this(run, leaseExpiresAt, attempt, history, runToken, attachments, environment, modelId, modelProvider,
                skillInstructions, executionId, turn, secrets, secretsError, delivery, null);
    }

    public ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history,
            String runToken, List<AttachmentRef> attachments, RunEnvironment environment, String modelId,
            String modelProvider, String skillInstructions, String executionId, Integer turn, List<RunSecret> secrets,
            String secretsError) {
        this(run, leaseExpiresAt, attempt, history, runToken, attachments, environment, modelId, modelProvider,
                skillInstructions, executionId, turn, secrets, secretsError, null, null);
    }

    public ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history,
            String runToken, List<AttachmentRef> attachments, RunEnvironment environment, String modelId,
            String modelProvider, String skillInstructions, String executionId) {
        this(run, leaseExpiresAt, attempt, history, runToken, attachments, environment, modelId, modelProvider,
                skillInstructions, executionId, null, List.of(), null, null, null);
    }

    /** Whether this execution continues a run that had ended (a follow-up), rather than starting it. */
    public boolean continues() {
        return turn != null && turn > 1;
    }

    /** What the lease layer knows; the claim endpoint adds the rest. */
    public ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history, String runToken,
            List<AttachmentRef> attachments) {
        this(run, leaseExpiresAt, attempt, history, runToken, attachments, null, null, null, null, null);
    }

    public ClaimedRun(RunItem run, Instant leaseExpiresAt, int attempt, ConversationResponse history, String runToken,
            List<AttachmentRef> attachments, RunEnvironment environment, String modelId, String modelProvider,
            String skillInstructions) {
        this(run, leaseExpiresAt, attempt, history, runToken, attachments, environment, modelId, modelProvider,
                skillInstructions, null);
    }

    public ClaimedRun withExecutionId(String id) {
        return new ClaimedRun(run, leaseExpiresAt, attempt, history, runToken, attachments, environment, modelId,
                modelProvider, skillInstructions, id, turn, secrets, secretsError, delivery, mode);
    }

    public ClaimedRun withTurn(int turn) {
        return new ClaimedRun(run, leaseExpiresAt, attempt, history, runToken, attachments, environment, modelId,
                modelProvider, skillInstructions, executionId, turn, secrets, secretsError, delivery, mode);
    }
}
