package dev.drover.worker;

import dev.drover.api.ArtifactUpload;
import dev.drover.api.ConversationResponse;
import dev.drover.client.DroverClient;
import dev.drover.api.Redactor;
import dev.drover.api.RunItem;
import dev.drover.api.RunSecret;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a harness gets for one run: the run, its workspace, the scrubbed environment for its processes, the
 * conversation so far when the run continues one ({@code history}, else null), the API as the agent (with the
 * run-scoped token: messages, child runs), where the run's artifacts go, the model the server chose for the
 * run with its provider ({@code modelId}/{@code modelProvider}, null from servers that do not say), and the run's
 * skill instructions ({@code skillInstructions}, placeholders filled; null for a run without a skill), what this
 * turn answers besides or instead of the prompt ({@code turnTask}: follow-ups; null for the prompt alone).
 * {@code redactor} holds the values of the run's secrets (the transcript and artifacts given here redact already; a
 * harness that streams output uses its {@link Redactor#stream}); {@code harnessAuth} is the run's
 * {@code harness_auth_secrets} secret for its CLI harness (null without one).
 */
public record RunContext(RunItem run, Path workspace, Map<String, String> environment, Cancellation cancellation,
        TranscriptWriter transcript, UsageMeter usage, ConversationResponse history, DroverClient agentApi,
        ArtifactSink artifacts, String modelId, String modelProvider, String skillInstructions, String turnTask,
        Redactor redactor, RunSecret harnessAuth, String mode) {

    /** The run's mode for the built-in harness (the server accepts plan and orchestrate for it only). */
    public boolean planOnly() {
        return "plan".equals(mode);
    }

    /**
     * The agent's standing instructions: {@code config.base_prompt}, then the skill's instructions; null when the
     * run has neither.
     */
    public String instructions() {
        String base = run.agentConfig() == null ? null : run.agentConfig().basePrompt();
        StringBuilder out = new StringBuilder();
        for (String part : new String[] {base, skillInstructions}) {
            if (part != null && !part.isBlank()) {
                out.append(out.isEmpty() ? "" : "\n\n").append(part.strip());
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /**
     * What the agent is asked this turn: the prompt (or for a run of a skill without one, to follow the skill); with
     * follow-ups waiting ({@code turnTask}), those too — or, on a turn that continues the run, those alone.
     */
    public String task() {
        if (turnTask != null) {
            return turnTask;
        }
        String prompt = run.prompt();
        return prompt == null || prompt.isBlank() ? "Carry out your instructions." : prompt;
    }

    /** Records an artifact of the run. */
    public interface ArtifactSink {
        String record(ArtifactUpload artifact);
    }
}
