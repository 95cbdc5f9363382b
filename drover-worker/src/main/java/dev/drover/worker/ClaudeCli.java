package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Claude Code ({@code claude}), headless: {@code claude --print --output-format stream-json --verbose}, the prompt
 * on standard input. Its stream: a {@code system}/{@code init} line, then {@code assistant} messages (text and
 * {@code tool_use} blocks) and {@code user} messages carrying {@code tool_result}s, then one {@code result} line
 * with the outcome ({@code is_error}, {@code result}) and the tokens per model ({@code modelUsage}).
 */
final class ClaudeCli implements CliAgent {

    @Override
    public String name() {
        return "claude";
    }

    @Override
    public String installHint() {
        return "npm install -g @anthropic-ai/claude-code";
    }

    /** An OAuth token from {@code claude setup-token} (sk-ant-oat…) is not an API key: Claude Code reads it elsewhere. */
    @Override
    public String authVariable(String value) {
        return value.startsWith("sk-ant-oat") ? "CLAUDE_CODE_OAUTH_TOKEN" : "ANTHROPIC_API_KEY";
    }

    @Override
    public List<String> credentials() {
        return List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK",
                "CLAUDE_CODE_USE_VERTEX");
    }

    @Override
    public List<String> settings(Map<String, String> workerEnv) {
        List<String> names = new java.util.ArrayList<>(List.of("ANTHROPIC_BASE_URL"));
        if (set(workerEnv, "CLAUDE_CODE_USE_BEDROCK")) {
            names.addAll(List.of("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"));
        }
        if (set(workerEnv, "CLAUDE_CODE_USE_VERTEX")) {
            names.addAll(List.of("ANTHROPIC_VERTEX_PROJECT_ID", "CLOUD_ML_REGION", "GOOGLE_APPLICATION_CREDENTIALS"));
        }
        return names;
    }

    private static boolean set(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    /**
     * Nobody is there to approve a tool call, so permissions are bypassed — which Claude Code refuses to root
     * unless told it is sandboxed. It is told so only when the run is isolated (container or bubblewrap: it runs as the unprivileged agent uid); a root worker without
     * bubblewrap lets it edit files but not run commands that need approval.
     */
    private static boolean bypass(Invocation run) {
        return run.isolated() || !run.root();
    }

    @Override
    public List<String> arguments(Invocation run) {
        List<String> args = new ArrayList<>(List.of("--print", "--output-format", "stream-json", "--verbose",
                "--permission-mode", bypass(run) ? "bypassPermissions" : "acceptEdits"));
        if (run.modelId() != null && !run.modelId().isBlank()) {
            args.addAll(List.of("--model", run.modelId()));
        }
        return args;
    }

    @Override
    public Map<String, String> environment(Invocation run) {
        return run.isolated() && run.root() ? Map.of("IS_SANDBOX", "1") : Map.of();
    }

    @Override
    public String note(Invocation run) {
        return bypass(run) ? null
                : "claude ran with --permission-mode acceptEdits: the worker runs as root without bubblewrap";
    }

    @Override
    public StreamParser parser(Invocation run) {
        return new Parser(run.modelId());
    }

    /** The category of a Claude Code tool, in the spec's terms. */
    static String category(String tool) {
        return switch (tool) {
            case "Bash", "BashOutput", "KillShell", "KillBash" -> "command";
            case "Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "LS" -> "files";
            case "Glob", "Grep", "WebSearch", "WebFetch" -> "search";
            case "TodoWrite", "ExitPlanMode" -> "review";
            case "Skill" -> "skill";
            default -> "integration"; // mcp__… tools, Task (subagents) and tools added later
        };
    }

    static final class Parser implements StreamParser {
        private final Map<String, String> toolNames = new HashMap<>();
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
            switch (event.path("type").asText()) {
                case "system" -> {
                    if (event.path("subtype").asText().equals("init")) {
                        if (event.hasNonNull("model")) {
                            model = event.path("model").asText();
                        }
                        sink.message("system", List.of(Blocks.event("session_started", Blocks.fields("cli", "claude",
                                "session_id", event.path("session_id").asText(null), "model", model))));
                    }
                }
                case "assistant" -> assistant(event.path("message"), sink);
                case "user" -> toolResults(event.path("message"), sink);
                case "result" -> result(event, sink);
                default -> {
                    // stream_event, compact boundaries and whatever comes later: not part of the conversation
                }
            }
        }

        private void assistant(JsonNode message, Sink sink) {
            List<Map<String, Object>> blocks = new ArrayList<>();
            for (JsonNode block : message.path("content")) {
                switch (block.path("type").asText()) {
                    case "text" -> {
                        String text = block.path("text").asText("");
                        if (!text.isBlank()) {
                            blocks.add(Blocks.text(text));
                            lastText = text;
                        }
                    }
                    case "tool_use" -> {
                        String id = block.path("id").asText();
                        String name = block.path("name").asText();
                        toolNames.put(id, name);
                        blocks.add(Blocks.action(id, category(name), name, Blocks.object(block.path("input"))));
                    }
                    default -> {
                        // thinking blocks stay private to the model
                    }
                }
            }
            sink.message("assistant", blocks);
        }

        private void toolResults(JsonNode message, Sink sink) {
            List<Map<String, Object>> blocks = new ArrayList<>();
            for (JsonNode block : message.path("content")) {
                if (!block.path("type").asText().equals("tool_result")) {
                    continue;
                }
                String id = block.path("tool_use_id").asText();
                String name = toolNames.getOrDefault(id, "tool");
                blocks.add(Blocks.result(id, category(name), name,
                        block.path("is_error").asBoolean(false) ? "failed" : "completed",
                        Blocks.fields("output", Blocks.textOf(block.path("content")))));
            }
            sink.message("tool", blocks);
        }

        private void result(JsonNode event, Sink sink) {
            boolean failed = event.path("is_error").asBoolean(false)
                    || !event.path("subtype").asText("success").equals("success");
            success = !failed;
            String text = event.path("result").asText(null);
            if (failed) {
                error = text != null && !text.isBlank() ? text : describe(event.path("subtype").asText());
            } else {
                summary = text != null && !text.isBlank() ? text : lastText;
            }
            JsonNode perModel = event.path("modelUsage");
            if (perModel.isObject() && !perModel.isEmpty()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = perModel.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode u = e.getValue();
                    sink.usage(modelName(e.getKey()), u.path("inputTokens").asLong() + u.path("cacheReadInputTokens").asLong()
                            + u.path("cacheCreationInputTokens").asLong(), u.path("outputTokens").asLong());
                }
            } else if (event.path("usage").isObject()) {
                JsonNode u = event.path("usage");
                sink.usage(model == null ? "claude" : modelName(model), u.path("input_tokens").asLong()
                        + u.path("cache_read_input_tokens").asLong() + u.path("cache_creation_input_tokens").asLong(),
                        u.path("output_tokens").asLong());
            }
        }

        /**
         * A model as the models table prices it: {@code claude-opus-4-6[1m]} (a context-window variant) and
         * {@code claude-sonnet-4-5-20250929} (a dated snapshot) are {@code claude-opus-4-6} and {@code claude-sonnet-4-5}.
         */
        static String modelName(String key) {
            int bracket = key.indexOf('[');
            String name = bracket > 0 ? key.substring(0, bracket) : key;
            return name.replaceFirst("-\\d{8}$", "");
        }

        private static String describe(String subtype) {
            return switch (subtype) {
                case "error_max_turns" -> "Claude Code stopped at its turn limit";
                case "error_max_budget_usd" -> "Claude Code stopped at its budget limit";
                case "error_during_execution" -> "Claude Code failed during execution";
                default -> "Claude Code ended with " + subtype;
            };
        }

        @Override
        public Verdict verdict() {
            return new Verdict(success, summary, error);
        }
    }
}
