package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI Codex ({@code codex}), headless: {@code codex exec --json -}, the prompt on standard input. Its stream:
 * {@code thread.started}, {@code turn.started}, then {@code item.started}/{@code item.completed} for each agent
 * message, command execution, file change, MCP tool call or web search, then {@code turn.completed} with the
 * turn's token usage, or {@code turn.failed}/{@code error} with a message.
 */
final class CodexCli implements CliAgent {

    @Override
    public String name() {
        return "codex";
    }

    @Override
    public String installHint() {
        return "npm install -g @openai/codex";
    }

    /** What {@code codex exec} reads for an API key in a headless run. */
    @Override
    public String authVariable(String value) {
        return "CODEX_API_KEY";
    }

    @Override
    public List<String> credentials() {
        return List.of("CODEX_API_KEY", "OPENAI_API_KEY");
    }

    @Override
    public List<String> settings(java.util.Map<String, String> workerEnv) {
        return List.of("OPENAI_BASE_URL");
    }

    /**
     * Inside Drover's isolation (container or bubblewrap) Codex's own sandbox is redundant (and nesting it may fail), so it is
     * bypassed; without bubblewrap Codex confines itself to the workspace. Either way it asks no approvals, which
     * nobody could give.
     */
    @Override
    public List<String> arguments(Invocation run) {
        List<String> args = new ArrayList<>(List.of("exec", "--json", "--skip-git-repo-check"));
        if (run.isolated()) {
            args.add("--dangerously-bypass-approvals-and-sandbox");
        } else {
            args.addAll(List.of("--sandbox", "workspace-write"));
        }
        if (run.modelId() != null && !run.modelId().isBlank()) {
            args.addAll(List.of("--model", run.modelId()));
        }
        if (run.reasoningLevel() != null) { // a configuration override: a TOML string
            args.addAll(List.of("-c", "model_reasoning_effort=\"" + run.reasoningLevel() + "\""));
        }
        args.add("-"); // the prompt comes on standard input
        return args;
    }

    @Override
    public Map<String, String> environment(Invocation run) {
        return Map.of();
    }

    @Override
    public StreamParser parser(Invocation run) {
        // the stream does not name the model: usage is recorded under the run's model, else under "codex"
        return new Parser(run.modelId() == null || run.modelId().isBlank() ? "codex" : run.modelId());
    }

    static final class Parser implements StreamParser {
        private final String model;
        private final Set<String> announced = new HashSet<>();
        private boolean completed;
        private boolean failed;
        private String summary;
        private String error;

        Parser(String model) {
            this.model = model;
        }

        @Override
        public void accept(JsonNode event, Sink sink) {
            switch (event.path("type").asText()) {
                case "thread.started" -> sink.message("system", List.of(Blocks.event("session_started",
                        Blocks.fields("cli", "codex", "thread_id", event.path("thread_id").asText(null)))));
                case "item.started" -> started(event.path("item"), sink);
                case "item.completed" -> completed(event.path("item"), sink);
                case "turn.completed" -> {
                    completed = true;
                    JsonNode u = event.path("usage");
                    sink.usage(model, u.path("input_tokens").asLong(), u.path("output_tokens").asLong());
                }
                case "turn.failed" -> {
                    failed = true;
                    error = event.path("error").path("message").asText(error);
                }
                case "error" -> error = event.path("message").asText(error);
                default -> {
                    // turn.started, item.updated (to-do list progress) and whatever comes later
                }
            }
        }

        private void started(JsonNode item, Sink sink) {
            Map<String, Object> action = action(item);
            if (action != null && announced.add(item.path("id").asText())) {
                sink.message("assistant", List.of(action));
            }
        }

        private void completed(JsonNode item, Sink sink) {
            String id = item.path("id").asText();
            switch (item.path("type").asText()) {
                case "agent_message" -> {
                    String text = item.path("text").asText("");
                    if (!text.isBlank()) {
                        summary = text;
                        sink.message("assistant", List.of(Blocks.text(text)));
                    }
                }
                case "error" -> sink.message("system", List.of(Blocks.event("error",
                        Blocks.fields("message", item.path("message").asText("")))));
                default -> {
                    Map<String, Object> action = action(item);
                    if (action == null) {
                        return; // reasoning stays private; to-do lists are progress, not conversation
                    }
                    if (announced.add(id)) {
                        sink.message("assistant", List.of(action));
                    }
                    sink.message("tool", List.of(result(item, action)));
                }
            }
        }

        /** The action block of a tool-like item, or null for items that are not actions. */
        private static Map<String, Object> action(JsonNode item) {
            String id = item.path("id").asText();
            return switch (item.path("type").asText()) {
                case "command_execution" -> Blocks.action(id, "command", "run_command",
                        Blocks.fields("command", item.path("command").asText("")));
                case "file_change" -> Blocks.action(id, "files", "edit_files",
                        Blocks.fields("changes", Blocks.object(item).get("changes")));
                case "mcp_tool_call" -> Blocks.action(id, "integration", item.path("tool").asText("mcp_tool"),
                        Blocks.fields("server", item.path("server").asText(null), "arguments",
                                Blocks.object(item.path("arguments"))));
                case "web_search" -> Blocks.action(id, "search", "web_search",
                        Blocks.fields("query", item.path("query").asText("")));
                default -> null;
            };
        }

        private static Map<String, Object> result(JsonNode item, Map<String, Object> action) {
            String id = item.path("id").asText();
            String status = item.path("status").asText("completed");
            String state = switch (status) {
                case "failed" -> "failed";
                case "declined" -> "denied";
                case "in_progress" -> "running";
                default -> "completed";
            };
            Map<String, Object> output = switch (item.path("type").asText()) {
                case "command_execution" -> {
                    if (state.equals("completed") && item.path("exit_code").asInt(0) != 0) {
                        state = "failed";
                    }
                    yield Blocks.fields("exit_code", item.path("exit_code").isNumber() ? item.path("exit_code").asInt() : null,
                            "output", item.path("aggregated_output").asText(""));
                }
                case "file_change" -> Blocks.fields("changes", Blocks.object(item).get("changes"));
                case "mcp_tool_call" -> item.path("error").isObject()
                        ? Blocks.fields("error", item.path("error").path("message").asText(""))
                        : Blocks.fields("output", Blocks.textOf(item.path("result").path("content")));
                default -> Blocks.fields("query", item.path("query").asText(null));
            };
            return Blocks.result(id, (String) action.get("category"), (String) action.get("name"), state, output);
        }

        @Override
        public Verdict verdict() {
            Boolean success = failed ? Boolean.FALSE : completed ? Boolean.TRUE : error != null ? Boolean.FALSE : null;
            return new Verdict(success, summary, error);
        }
    }
}
