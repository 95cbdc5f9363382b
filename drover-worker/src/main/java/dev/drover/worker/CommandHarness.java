package dev.drover.worker;

import dev.drover.api.PlatformErrorCode;
import dev.drover.api.Redactor;
import java.util.List;

/**
 * The {@code command} harness, for teams with an agent of their own: {@code config.harness.command} runs with
 * {@code sh -c} in the workspace, the prompt on its standard input. Exit status 0 is success.
 */
final class CommandHarness implements Harness {
    static final java.time.Duration TRANSCRIPT_FLUSH = java.time.Duration.ofSeconds(1);
    private final WorkerConfig config;
    private final Place place;

    CommandHarness(WorkerConfig config, Place place) {
        this.config = config;
        this.place = place;
    }

    @Override
    public Outcome run(RunContext ctx) throws Exception {
        String command = ctx.run().agentConfig().harness().command();
        try (AgentProcess p = AgentProcess.start(List.of("sh", "-c", command), ctx.workspace(), ctx.environment(),
                ctx.task(), config.outputCap(), place)) {
            ctx.cancellation().register(p);
            ctx.transcript().text("user", ctx.task());
            long deadline = System.nanoTime() + config.runTimeout().toNanos();
            boolean exited = false;
            // output arrives in pieces: a secret's value split between two of them is still redacted whole
            Redactor.Stream redacted = ctx.redactor().stream();
            // the transcript is written as the command runs: new output lines every second
            while (!exited && System.nanoTime() < deadline) {
                exited = p.waitFor(TRANSCRIPT_FLUSH);
                String lines = redacted.feed(exited ? p.remainingOutput() : p.newOutput());
                if (exited) {
                    lines += redacted.finish();
                }
                if (!lines.isEmpty()) {
                    ctx.transcript().text("assistant", lines);
                }
            }
            if (!exited) {
                p.stop();
                return Outcome.failed("The command ran longer than " + config.runTimeout() + " and was stopped",
                        PlatformErrorCode.OPERATION_NOT_SUPPORTED);
            }
            if (ctx.cancellation().isCancelled()) {
                return Outcome.cancelled();
            }
            String tail = tail(ctx.redactor().redact(p.output())); // redacted before it is cut short
            String detail = (tail.isEmpty() ? "" : ": " + tail) + " (" + place.describe() + ")";
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
