package dev.drover.worker;

import java.util.List;
import java.util.Map;

/**
 * One coding-agent CLI that {@link CliHarness} runs headless: how it is found and installed, which of the
 * worker's credentials it needs, its command line, and the parser of its JSON-lines stream.
 */
interface CliAgent {

    /**
     * What one run asks of the CLI. {@code modelId} is the run's {@code harness.model_id}, else its
     * {@code config.model_id} (null: the CLI's own default); {@code reasoningLevel} its {@code harness.reasoning_level}
     * (null: the CLI's default; the server accepts it for codex only); {@code isolated} says the worker's isolation
     * (container or bubblewrap) confines the CLI, {@code root} that the worker runs as root.
     */
    record Invocation(String modelId, String reasoningLevel, boolean isolated, boolean root) {

        Invocation(String modelId, boolean isolated, boolean root) {
            this(modelId, null, isolated, root);
        }

        /** The model and reasoning level a run's config asks of its CLI harness. */
        static Invocation of(dev.drover.api.AmbientAgentConfig config, boolean isolated, boolean root) {
            if (config == null) {
                return new Invocation(null, null, isolated, root);
            }
            dev.drover.api.Harness h = config.harness();
            String model = h != null && h.modelId() != null ? h.modelId() : config.modelId();
            return new Invocation(model, h == null ? null : h.reasoningLevel(), isolated, root);
        }
    }

    /** The harness type, also the executable's name: claude, codex, gemini. */
    String name();

    /** The worker variable that names the executable when it is not on the PATH, e.g. DROVER_CLAUDE_PATH. */
    default String pathVariable() {
        return "DROVER_" + name().toUpperCase(java.util.Locale.ROOT) + "_PATH";
    }

    /** How an operator installs it, for the message of a run on a worker without it. */
    String installHint();

    /** The worker variables that authenticate the CLI; at least one must be set. */
    List<String> credentials();

    /**
     * The variable a {@code harness_auth_secrets} secret is given to the CLI in (one of {@link #credentials}): the
     * run's own credential, used instead of the worker's.
     */
    String authVariable(String value);

    /**
     * Further worker variables the CLI reads when set (base URLs, cloud settings), given the worker's environment:
     * cloud credentials pass only when the CLI is told to use that cloud, so a worker's own AWS or Google keys
     * never reach an agent that authenticates with an API key.
     */
    List<String> settings(Map<String, String> workerEnv);

    /** The arguments after the executable; the prompt arrives on standard input. */
    List<String> arguments(Invocation run);

    /** Variables the CLI needs for a headless run in a fresh workspace. */
    Map<String, String> environment(Invocation run);

    /** Something the run's status should say about how the CLI was run (null: nothing). */
    default String note(Invocation run) {
        return null;
    }

    /** The parser of one run's stream. */
    StreamParser parser(Invocation run);
}
