package dev.drover.api;

/**
 * Which execution harness runs the agent; {@code type} is oz (default), claude, codex, gemini or command.
 * {@code command} is a Drover extension for the {@code command} harness: the command line to execute (run with
 * {@code sh -c} in the workspace, the prompt on its standard input).
 */
public record Harness(String type, String command) {

    public Harness(String type) {
        this(type, null);
    }
}
