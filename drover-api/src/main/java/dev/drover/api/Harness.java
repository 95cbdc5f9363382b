package dev.drover.api;

/**
 * Which execution harness runs the agent; {@code type} is oz (default), claude, codex, gemini or command.
 * {@code command} is a Drover extension for the {@code command} harness: the command line to execute (run with
 * {@code sh -c} in the workspace, the prompt on its standard input). {@code model_id} and {@code reasoning_level}
 * (newer SDK) choose the model of a CLI harness and how hard it reasons; they are handed to the CLI as its flags
 * ({@code config.model_id} stays the built-in harness's model).
 */
public record Harness(String type, String command, String modelId, String reasoningLevel) {

    public Harness(String type) {
        this(type, null);
    }

    public Harness(String type, String command) {
        this(type, command, null, null);
    }
}
