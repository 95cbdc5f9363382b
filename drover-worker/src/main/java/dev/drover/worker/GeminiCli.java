package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Gemini CLI ({@code gemini}), headless: {@code gemini --output-format stream-json --approval-mode yolo}, the
 * prompt on standard input. Its stream: {@code init} (session and model), {@code message} (the user's prompt
 * echoed, then the assistant's text, often in {@code delta} pieces), {@code tool_use} and {@code tool_result},
 * {@code error} (warnings and errors), and a final {@code result} with {@code status} and token {@code stats}.
 */
final class GeminiCli implements CliAgent {

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public String installHint() {
        return "npm install -g @google/gemini-cli";
    }

    @Override
    public String authVariable(String value) {
        return "GEMINI_API_KEY";
    }

    @Override
    public List<String> credentials() {
        return List.of("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI");
    }

    @Override
    public List<String> settings(Map<String, String> workerEnv) {
        String vertex = workerEnv.get("GOOGLE_GENAI_USE_VERTEXAI");
        return vertex != null && !vertex.isBlank()
                ? List.of("GOOGLE_GEMINI_BASE_URL", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION",
                        "GOOGLE_APPLICATION_CREDENTIALS")
                : List.of("GOOGLE_GEMINI_BASE_URL");
    }

    /** Nobody is there to approve a tool call: every call is approved (yolo). */
    @Override
    public List<String> arguments(Invocation run) {
        List<String> args = new ArrayList<>(List.of("--output-format", "stream-json", "--approval-mode", "yolo"));
        if (run.modelId() != null && !run.modelId().isBlank()) {
            args.addAll(List.of("--model", run.modelId()));
        }
        return args;
    }

    /** A run's workspace is new, so Gemini CLI has never been told to trust it; headless it would refuse. */
    @Override
    public Map<String, String> environment(Invocation run) {
        return Map.of("GEMINI_CLI_TRUST_WORKSPACE", "true");
    }

    @Override
    public StreamParser parser(Invocation run) {
        return new Parser(run.modelId());
    }

    /** The category of a Gemini CLI tool, in the spec's terms. */
    static String category(String tool) {
        return switch (tool) {
            case "run_shell_command" -> "command";
            case "read_file", "read_many_files", "write_file", "replace", "edit", "list_directory" -> "files";
            case "glob", "search_file_content", "grep", "google_web_search", "web_fetch" -> "search";
            case "save_memory" -> "documents";
            case "write_todos" -> "review";
            default -> "integration"; // MCP tools and tools added later
        };
    }

    static final class Parser implements StreamParser {
        private final Map<String, String> toolNames = new HashMap<>();
        private final StringBuilder pending = new StringBuilder();
        private String model;
        private Boolean success;
        private String summary;
        private String error;
        private String lastText;

        Parser(String modelId) {
            this.model = modelId;
        }

        @Override
        public void accept(JsonNode event, Sink sink) {
            String type = event.path("type").asText();
            if (type.equals("message") && event.path("role").asText().equals("assistant")) {
                pending.append(event.path("content").asText(""));
                return;
            }
            flush(sink);
            switch (type) {
                case "init" -> {
                    if (event.hasNonNull("model")) {
                        model = event.path("model").asText();
                    }
                    sink.message("system", List.of(Blocks.event("session_started", Blocks.fields("cli", "gemini",
                            "session_id", event.path("session_id").asText(null), "model", model))));
                }
                case "tool_use" -> {
                    String id = event.path("tool_id").asText();
                    String name = event.path("tool_name").asText();
                    toolNames.put(id, name);
                    sink.message("assistant", List.of(Blocks.action(id, category(name), name,
                            Blocks.object(event.path("parameters")))));
                }
                case "tool_result" -> {
                    String id = event.path("tool_id").asText();
                    String name = toolNames.getOrDefault(id, "tool");
                    boolean ok = event.path("status").asText().equals("success");
                    sink.message("tool", List.of(Blocks.result(id, category(name), name, ok ? "completed" : "failed",
                            ok ? Blocks.fields("output", event.path("output").asText(""))
                                    : Blocks.fields("error", event.path("error").path("message").asText("")))));
                }
                case "error" -> {
                    String severity = event.path("severity").asText("error");
                    String message = event.path("message").asText("");
                    sink.message("system", List.of(Blocks.event(severity.equals("warning") ? "warning" : "error",
                            Blocks.fields("message", message))));
                    if (!severity.equals("warning")) {
                        error = message;
                    }
                }
                case "result" -> result(event, sink);
                default -> {
                    // the user's prompt echoed back (already in the transcript) and whatever comes later
                }
            }
        }

        /** Writes the assistant text gathered from delta pieces as one message. */
        private void flush(Sink sink) {
            if (pending.toString().isBlank()) {
                pending.setLength(0);
                return;
            }
            lastText = pending.toString();
            pending.setLength(0);
            sink.message("assistant", List.of(Blocks.text(lastText)));
        }

        private void result(JsonNode event, Sink sink) {
            success = event.path("status").asText().equals("success");
            if (success) {
                summary = lastText;
            } else {
                error = event.path("error").path("message").asText(error == null ? "Gemini CLI reported an error" : error);
            }
            JsonNode stats = event.path("stats");
            JsonNode perModel = stats.path("models");
            if (perModel.isObject() && !perModel.isEmpty()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = perModel.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    sink.usage(e.getKey(), e.getValue().path("input_tokens").asLong(), e.getValue().path("output_tokens").asLong());
                }
            } else if (stats.isObject()) {
                sink.usage(model == null ? "gemini" : model, stats.path("input_tokens").asLong(),
                        stats.path("output_tokens").asLong());
            }
        }

        @Override
        public void end(Sink sink) {
            flush(sink);
        }

        @Override
        public Verdict verdict() {
            // an error without a result is a failure, whatever the exit status says
            Boolean outcome = success == null && error != null ? Boolean.FALSE : success;
            return new Verdict(outcome, summary != null ? summary : outcome == null ? lastText : null, error);
        }
    }
}
