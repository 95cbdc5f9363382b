package dev.drover.worker;

import dev.drover.api.PlatformErrorCode;
import java.util.List;

/**
 * The {@code command} harness, for teams with an agent of their own: {@code config.harness.command} runs with
 * {@code sh -c} in the workspace, the prompt on its standard input. Exit status 0 is success.
 */
final class CommandHarness implements Harness {
    private final WorkerConfig config;
    private final Sandbox sandbox;

    CommandHarness(WorkerConfig config, Sandbox sandbox) {
        this.config = config;
        this.sandbox = sandbox;
    }

    @Override
    public Outcome run(RunContext ctx) throws Exception {
        String command = ctx.run().agentConfig().harness().command();
        try (AgentProcess p = AgentProcess.start(List.of("sh", "-c", command), ctx.workspace(), ctx.environment(),
                ctx.run().prompt(), config.outputCap(), sandbox)) {
            ctx.cancellation().register(p);
            boolean exited = p.waitFor(config.runTimeout());
            if (!exited) {
                p.stop();
                return Outcome.failed("The command ran longer than " + config.runTimeout() + " and was stopped",
                        PlatformErrorCode.OPERATION_NOT_SUPPORTED);
            }
            if (ctx.cancellation().isCancelled()) {
                return Outcome.cancelled();
            }
            String tail = tail(p.output());
            String detail = (tail.isEmpty() ? "" : ": " + tail) + " (" + sandbox.describe() + ")";
            return p.exitCode() == 0
                    ? Outcome.succeeded("The command exited with status 0" + detail)
                    : Outcome.failed("The command exited with status " + p.exitCode() + detail, null);
        }
    }

    /** The last line of output, for the status message. */
    static String tail(String output) {
        String trimmed = output.strip();
        String last = trimmed.substring(trimmed.lastIndexOf('\n') + 1).strip();
        return last.length() > 300 ? last.substring(0, 300) + "…" : last;
    }
}
