package dev.drover.worker;

import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RunItem;

/** Chooses the harness of a run from {@code config.harness.type}. */
final class Harnesses {
    private final WorkerConfig config;
    private final ModelProviders providers;

    Harnesses(WorkerConfig config, ModelProviders providers) {
        this.config = config;
        this.providers = providers;
    }

    /** The harness for a run, or why this worker cannot run it (the run then fails without starting). */
    record Choice(Harness harness, Outcome unavailable) {}

    /** The harness of {@code run}, whose processes all run in {@code place}. */
    Choice forRun(RunItem run, Place place) {
        String type = run.agentConfig() == null || run.agentConfig().harness() == null
                || run.agentConfig().harness().type() == null ? "oz" : run.agentConfig().harness().type();
        if (type.equals("command")) {
            return new Choice(new CommandHarness(config, place), null);
        }
        if (type.equals("oz")) {
            return new Choice(new OzHarness(providers, config, place), null);
        }
        CliAgent cli = switch (type) {
            case "claude" -> new ClaudeCli();
            case "codex" -> new CodexCli();
            case "gemini" -> new GeminiCli();
            default -> null;
        };
        if (cli != null) {
            return new Choice(new CliHarness(cli, config, place), null);
        }
        return new Choice(null, Outcome.failed("The " + type + " harness is not available on worker " + config.name()
                + "; this worker runs the oz, claude, codex, gemini and command harnesses",
                PlatformErrorCode.FEATURE_NOT_AVAILABLE));
    }
}
