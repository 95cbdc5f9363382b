package dev.drover.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.ConversationMessage;
import dev.drover.api.ConversationResponse;
import dev.drover.api.ConversationStep;
import dev.drover.api.Json;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.UsageStatus;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in agent loop: the model is offered tools (run a shell command, read, write, edit, list and search
 * files of the workspace, talk to other runs, start child runs, publish artifacts, finish — and the tools of the
 * run's MCP servers), the worker executes each call it makes and returns the result, until the model calls
 * {@code finish} or the step limit is reached. Every call and result is written to the transcript as the spec's
 * action and action_result blocks.
 */
final class OzHarness implements Harness {
    static final int MAX_STEPS = 40;
    static final int MAX_TOOL_OUTPUT = 64 * 1024;
    static final Duration SHELL_TIMEOUT = Duration.ofMinutes(10);
    static final String SYSTEM_PROMPT = """
            You are a coding agent working in a checked-out workspace (the current directory). Use the tools to
            inspect and change files and to run commands. When the task is done, or cannot be done, call finish
            with success true or false and a one-paragraph summary.""";

    /** What a run in plan mode is told: the tools that could change anything are not offered (and refused). */
    static final String PLAN_MODE = """
            This run is in plan mode: do not change anything. Inspect the workspace with the read-only tools, then
            publish your plan with create_artifact (artifact_type PLAN, a title, the plan as markdown content) and call
            finish. Files cannot be written and commands cannot be run in this mode.""";
    /** What a run in orchestrate mode is told; its tools are those of a normal run. */
    static final String ORCHESTRATE_MODE = """
            This run is in orchestrate mode: split the task into independent parts, start a child run for each with
            spawn_agent, coordinate them with send_message and read_inbox, collect their results, and call finish with
            the combined outcome.""";
    /** The tools a plan-mode run may not use: they change the workspace, run commands or start other runs. */
    static final java.util.Set<String> CHANGING_TOOLS = java.util.Set.of("write_file", "edit_file", "run_shell",
            "spawn_agent");

    private final ModelProviders providers;
    private final WorkerConfig config;
    private final Place place;

    OzHarness(ModelProviders providers, WorkerConfig config, Place place) {
        this.providers = providers;
        this.config = config;
        this.place = place;
    }

    static final ToolSpecification ASK_USER = ToolSpecification.builder().name("ask_user")
            .description("Ask the user a question and stop until they answer (interactive runs only).")
            .parameters(JsonObjectSchema.builder().addStringProperty("question").required(List.of("question")).build())
            .build();

    /** The tools offered; {@code ask_user} only to interactive runs, which may end BLOCKED. */
    static List<ToolSpecification> tools(boolean interactive) {
        List<ToolSpecification> tools = new ArrayList<>(tools());
        if (interactive) {
            tools.add(ASK_USER);
        }
        return tools;
    }

    static List<ToolSpecification> tools() {
        List<ToolSpecification> tools = new ArrayList<>(List.of(
                ToolSpecification.builder().name("send_message").description("Send a message to other runs (agents) by run id.")
                        .parameters(JsonObjectSchema.builder()
                                .addProperty("to", dev.langchain4j.model.chat.request.json.JsonArraySchema.builder()
                                        .items(new dev.langchain4j.model.chat.request.json.JsonStringSchema()).build())
                                .addStringProperty("subject").addStringProperty("body")
                                .required(List.of("to", "subject", "body")).build()).build(),
                ToolSpecification.builder().name("read_inbox").description("Read the unread messages sent to this run.")
                        .parameters(JsonObjectSchema.builder().build()).build(),
                ToolSpecification.builder().name("spawn_agent").description("Start a child agent run with its own prompt; returns its run id.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("prompt").addStringProperty("title")
                                .required(List.of("prompt")).build()).build(),
                ToolSpecification.builder().name("create_artifact")
                        .description("Publish an artifact: PLAN (title, content), PULL_REQUEST (url, branch), FILE (path in "
                                + "the workspace) or SCREENSHOT (path of an image in the workspace, optional description).")
                        .parameters(JsonObjectSchema.builder()
                                .addEnumProperty("artifact_type", List.of("PLAN", "PULL_REQUEST", "FILE", "SCREENSHOT"))
                                .addStringProperty("title").addStringProperty("content").addStringProperty("url")
                                .addStringProperty("branch").addStringProperty("path").addStringProperty("description")
                                .required(List.of("artifact_type")).build()).build(),
                ToolSpecification.builder().name("run_shell").description("Run a shell command in the workspace; returns its exit status and output.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("command").required(List.of("command")).build()).build()));
        tools.addAll(WorkspaceTools.specifications());
        tools.add(ToolSpecification.builder().name("finish").description("End the task.")
                .parameters(JsonObjectSchema.builder().addBooleanProperty("success").addStringProperty("summary")
                        .required(List.of("success", "summary")).build()).build());
        return List.copyOf(tools);
    }

    @Override
    public Outcome run(RunContext ctx) throws Exception {
        String modelId = ctx.modelId() != null ? ctx.modelId()
                : ctx.run().agentConfig() != null && ctx.run().agentConfig().modelId() != null
                        ? ctx.run().agentConfig().modelId() : providers.defaultModel();
        // every request of the run to its provider and its MCP servers goes through these, so a stop can cut them
        try (HttpConnections connections = new HttpConnections()) {
            return run(ctx, modelId, connections);
        }
    }

    private Outcome run(RunContext ctx, String modelId, HttpConnections connections) throws Exception {
        ModelProviders.Resolved resolved = providers.resolve(modelId, ctx.modelProvider(), connections);
        if (resolved.model() == null) {
            return Outcome.failed(resolved.problem(), PlatformErrorCode.INTEGRATION_NOT_CONFIGURED);
        }
        McpTools mcp;
        // a server may take up to a minute to start: a stop cuts HTTP ones (their connections) and stdio ones (this
        // thread's wait for them, which is interrupted)
        Thread starting = Thread.currentThread();
        Cancellation.Registration stopStarting = ctx.cancellation().onCancel(() -> {
            connections.abort();
            starting.interrupt();
        });
        try {
            mcp = McpTools.start(ctx.run().agentConfig() == null ? null : ctx.run().agentConfig().mcpServers(),
                    ctx.workspace(), ctx.environment(), place, connections);
        } catch (McpTools.StartFailure e) {
            return ctx.cancellation().isCancelled() ? Outcome.cancelled()
                    : Outcome.failed(e.getMessage(), PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
        } catch (InterruptedException e) {
            if (ctx.cancellation().isCancelled()) {
                return Outcome.cancelled();
            }
            throw e;
        } finally {
            stopStarting.close();
            if (ctx.cancellation().isCancelled()) {
                Thread.interrupted(); // an interrupt that came after the servers were up is not for what follows
            }
        }
        try (mcp) {
            Outcome outcome = loop(ctx, modelId, resolved.model(), mcp, () -> {
                connections.abort();
                mcp.abort();
            });
            if (ctx.cancellation().isCancelled()) {
                mcp.abort(); // stopped: the servers are dropped without waiting on them
            }
            return outcome;
        }
    }

    /** The run's end when its wall-clock limit has passed. */
    private Outcome timedOut() {
        return Outcome.failed("The agent ran longer than " + config.runTimeout() + " and was stopped", null);
    }

    private Outcome loop(RunContext ctx, String modelId, ChatModel model, McpTools mcp, Runnable cut) throws Exception {
        WorkspaceTools files = new WorkspaceTools(ctx.workspace());
        List<ChatMessage> messages = new ArrayList<>();
        String base = ctx.instructions();
        String identity = "\n\nThis run's id is " + ctx.run().runId()
                + (ctx.run().parentRunId() == null ? "." : "; it was started by run " + ctx.run().parentRunId() + ".");
        String mode = ctx.planOnly() ? "\n\n" + PLAN_MODE
                : "orchestrate".equals(ctx.mode()) ? "\n\n" + ORCHESTRATE_MODE : "";
        messages.add(SystemMessage.from(SYSTEM_PROMPT + identity + mode + (base == null ? "" : "\n\n" + base)));
        messages.addAll(history(ctx.history()));
        messages.add(UserMessage.from(ctx.task()));
        ctx.transcript().text("user", ctx.task());
        boolean interactive = Boolean.TRUE.equals(ctx.run().interactive());
        List<ToolSpecification> offered = new ArrayList<>(tools(interactive));
        if (ctx.planOnly()) {
            // MCP servers are left out too: what their tools do is unknown, so none may change anything unseen
            offered.removeIf(t -> CHANGING_TOOLS.contains(t.name()));
        } else {
            offered.addAll(mcp.specifications());
        }
        boolean planPublished = false;
        // the run's wall-clock limit holds for the built-in agent too: between steps, and inside every model and
        // MCP call, which a cancel also cuts short (StoppableCall)
        long deadline = System.nanoTime() + config.runTimeout().toNanos();
        for (int step = 0; step < MAX_STEPS; step++) {
            if (ctx.cancellation().isCancelled()) {
                return Outcome.cancelled();
            }
            if (System.nanoTime() - deadline > 0) {
                return timedOut();
            }
            if (step > 0 && ctx.agentApi() != null) {
                // follow-ups sent while the agent works reach it at its next step, as what the user says next
                for (String followup : Followups.take(ctx.agentApi(), ctx.run().runId())) {
                    messages.add(UserMessage.from(followup));
                    ctx.transcript().text("user", followup);
                }
            }
            ChatRequest request = ChatRequest.builder().messages(messages).toolSpecifications(offered).build();
            ChatResponse response;
            try {
                response = StoppableCall.call("drover-model-call", ctx.cancellation(), deadline,
                        () -> model.chat(request), cut);
            } catch (StoppableCall.Stopped stopped) {
                return stopped.cause == StoppableCall.Cause.CANCELLED ? Outcome.cancelled() : timedOut();
            }
            AiMessage ai = withCallIds(response.aiMessage(), step);
            messages.add(ai);
            if (response.tokenUsage() != null) {
                UsageStatus spent = ctx.usage().record(modelId, count(response.tokenUsage().inputTokenCount()),
                        count(response.tokenUsage().outputTokenCount()));
                if (spent.budgetExceeded()) {
                    return Outcome.failed(String.format(java.util.Locale.ROOT,
                            "The run's budget of $%.4f is spent ($%.4f); the agent was stopped",
                            spent.budgetUsd(), spent.requestUsage().inferenceCostUsd()), PlatformErrorCode.BUDGET_EXCEEDED);
                }
            }
            List<Map<String, Object>> said = new ArrayList<>();
            if (ai.text() != null && !ai.text().isBlank()) {
                said.add(Map.of("type", "text", "text", ai.text()));
            }
            if (!ai.hasToolExecutionRequests()) {
                if (!said.isEmpty()) {
                    ctx.transcript().append("assistant", said);
                }
                messages.add(UserMessage.from("Continue with the tools, or call finish when you are done."));
                continue;
            }
            for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
                said.add(action(call));
            }
            ctx.transcript().append("assistant", said);
            for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
                // a cancel seen while an earlier call of this turn ran (say, a shell command it stopped) ends the
                // run before the next call: nothing the model asked for is done after the cancel
                if (ctx.cancellation().isCancelled()) {
                    return Outcome.cancelled();
                }
                if (System.nanoTime() - deadline > 0) {
                    return timedOut();
                }
                JsonNode args = arguments(call);
                if (call.name().equals("ask_user") && interactive) {
                    String question = args.path("question").asText("The agent needs your input");
                    ctx.transcript().append("tool", List.of(result(call, "completed", Map.of("question", question))));
                    return Outcome.blocked(question);
                }
                if (call.name().equals("finish")) {
                    boolean success = args.path("success").asBoolean(false);
                    String summary = args.path("summary").asText("");
                    if (success && ctx.planOnly() && !planPublished) {
                        // a plan run's product is its PLAN artifact: one the model did not publish is its summary
                        ctx.artifacts().record(new dev.drover.api.ArtifactUpload(dev.drover.api.ArtifactType.PLAN, null,
                                null, null, null, "Plan", summary, null, null));
                    }
                    ctx.transcript().append("tool", List.of(result(call, "completed", Map.of("success", success))));
                    return success ? Outcome.succeeded(summary) : Outcome.failed(summary, null);
                }
                ToolResult r;
                try {
                    // not offered in plan mode, and refused if the model calls them anyway
                    r = ctx.planOnly() && (CHANGING_TOOLS.contains(call.name()) || mcp.offers(call.name()))
                            ? new ToolResult(false, call.name() + " is not available in plan mode: nothing may be "
                                    + "changed; publish the plan with create_artifact and finish")
                            : mcp.offers(call.name())
                            ? StoppableCall.call("drover-mcp-call", ctx.cancellation(), deadline,
                                    () -> mcp.call(call.name(), args), cut)
                            : execute(call.name(), args, ctx, files);
                } catch (StoppableCall.Stopped stopped) {
                    return stopped.cause == StoppableCall.Cause.CANCELLED ? Outcome.cancelled() : timedOut();
                }
                if (r.ok() && call.name().equals("create_artifact") && args.path("artifact_type").asText().equals("PLAN")) {
                    planPublished = true;
                }
                r = new ToolResult(r.ok(), cap(r.text()));
                ctx.transcript().append("tool", List.of(result(call, r.ok() ? "completed" : "failed", Map.of("output", r.text()))));
                messages.add(ToolExecutionResultMessage.from(call, r.text()));
            }
        }
        return Outcome.failed("The agent did not finish within " + MAX_STEPS + " steps", null);
    }

    /**
     * The model's reply with an id on every tool call: some providers (Gemini, Ollama) send none, and the transcript
     * pairs each action with its result by id.
     */
    static AiMessage withCallIds(AiMessage ai, int step) {
        if (!ai.hasToolExecutionRequests()
                || ai.toolExecutionRequests().stream().allMatch(c -> c.id() != null && !c.id().isBlank())) {
            return ai;
        }
        List<ToolExecutionRequest> calls = new ArrayList<>();
        int i = 0;
        for (ToolExecutionRequest c : ai.toolExecutionRequests()) {
            String id = c.id() != null && !c.id().isBlank() ? c.id() : "call_" + step + "_" + i;
            calls.add(ToolExecutionRequest.builder().id(id).name(c.name()).arguments(c.arguments()).build());
            i++;
        }
        return AiMessage.builder().text(ai.text()).thinking(ai.thinking()).toolExecutionRequests(calls)
                .attributes(ai.attributes()).build();
    }

    /**
     * The earlier runs of the conversation as chat messages: what the user said and what the agent answered (the
     * text of tool calls and results is summarised into the agent's turns).
     */
    static List<ChatMessage> history(ConversationResponse history) {
        List<ChatMessage> out = new ArrayList<>();
        if (history == null) {
            return out;
        }
        for (ConversationStep step : history.steps()) {
            for (ConversationMessage m : step.messages()) {
                StringBuilder text = new StringBuilder();
                for (Map<String, Object> block : m.content()) {
                    Object t = block.get("type");
                    if ("text".equals(t)) {
                        text.append(block.get("text")).append('\n');
                    } else if ("action".equals(t)) {
                        text.append("[called ").append(block.get("name")).append(' ').append(block.get("input")).append("]\n");
                    } else if ("action_result".equals(t)) {
                        text.append("[").append(block.get("name")).append(" → ").append(block.get("output")).append("]\n");
                    }
                }
                if (text.isEmpty()) {
                    continue;
                }
                out.add(m.role().equals("user") ? UserMessage.from(text.toString().strip())
                        : AiMessage.from(text.toString().strip()));
            }
        }
        return out;
    }

    private static long count(Integer tokens) {
        return tokens == null ? 0 : tokens;
    }

    record ToolResult(boolean ok, String text) {}

    private ToolResult execute(String tool, JsonNode args, RunContext ctx, WorkspaceTools files) throws InterruptedException {
        try {
            if (WorkspaceTools.NAMES.contains(tool)) {
                return new ToolResult(true, files.execute(tool, args));
            }
            return switch (tool) {
                case "run_shell" -> shell(args.path("command").asText(), ctx);
                case "send_message" -> {
                    List<String> to = new ArrayList<>();
                    args.path("to").forEach(n -> to.add(n.asText()));
                    var sent = ctx.agentApi().sendMessage(new dev.drover.api.SendMessageRequest(to,
                            args.path("subject").asText(), args.path("body").asText(), ctx.run().runId()));
                    yield new ToolResult(true, "sent: " + sent.messageIds());
                }
                case "read_inbox" -> {
                    StringBuilder out = new StringBuilder();
                    for (var header : ctx.agentApi().inbox(ctx.run().runId(), true)) {
                        var m = ctx.agentApi().readMessage(header.messageId());
                        out.append("from ").append(m.senderRunId()).append(" — ").append(m.subject()).append('\n')
                                .append(m.body()).append("\n\n");
                    }
                    yield new ToolResult(true, out.isEmpty() ? "no unread messages" : cap(out.toString()));
                }
                case "spawn_agent" -> {
                    var child = ctx.agentApi().createRun(new dev.drover.api.RunAgentRequest(args.path("prompt").asText(),
                            null, null, args.hasNonNull("title") ? args.path("title").asText() : null, null, null, null,
                            null, ctx.run().runId(), null, null));
                    yield new ToolResult(true, "started child run " + child.runId());
                }
                case "create_artifact" -> new ToolResult(true, "created artifact "
                        + ctx.artifacts().record(artifact(args, ctx, files)));
                default -> new ToolResult(false, "unknown tool " + tool);
            };
        } catch (WorkspaceTools.ToolFailure e) {
            return new ToolResult(false, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // the model sees why its call failed and may try again; the run goes on
            return new ToolResult(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static dev.drover.api.ArtifactUpload artifact(JsonNode a, RunContext ctx, WorkspaceTools files)
            throws IOException {
        String type = a.path("artifact_type").asText();
        return switch (type) {
            case "PLAN" -> new dev.drover.api.ArtifactUpload(dev.drover.api.ArtifactType.PLAN, null, null, null, null,
                    a.path("title").asText(null), a.path("content").asText(""), null, null);
            case "PULL_REQUEST" -> new dev.drover.api.ArtifactUpload(dev.drover.api.ArtifactType.PULL_REQUEST, null,
                    null, null, null, null, null, a.path("url").asText(null), a.path("branch").asText(null));
            case "FILE", "SCREENSHOT" -> {
                Path file = files.inside(a.path("path").asText());
                if (!Files.isRegularFile(file)) {
                    throw new WorkspaceTools.ToolFailure(a.path("path").asText() + " is not a file of the workspace");
                }
                String mime = java.util.Optional.ofNullable(Files.probeContentType(file)).orElse("application/octet-stream");
                yield new dev.drover.api.ArtifactUpload(dev.drover.api.ArtifactType.valueOf(type),
                        ctx.workspace().toRealPath().relativize(file).toString(), mime, a.path("description").asText(null),
                        java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(file)), null, null, null, null);
            }
            default -> throw new WorkspaceTools.ToolFailure("artifact_type must be PLAN, PULL_REQUEST, FILE or SCREENSHOT");
        };
    }

    private ToolResult shell(String command, RunContext ctx) throws IOException, InterruptedException {
        try (AgentProcess p = AgentProcess.start(List.of("sh", "-c", command), ctx.workspace(), ctx.environment(), null,
                config.outputCap(), place)) {
            ctx.cancellation().register(p);
            if (!p.waitFor(SHELL_TIMEOUT)) {
                p.stop();
                return new ToolResult(false, "timed out after " + SHELL_TIMEOUT);
            }
            // redacted before it is capped (a cut through a value would hide it from the redactor) and before the model
            // sees it: the agent uses its secrets through their variables, it never needs to read their values
            return new ToolResult(p.exitCode() == 0, "exit status " + p.exitCode() + "\n"
                    + cap(ctx.redactor().redact(p.output())));
        }
    }

    private static String cap(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_TOOL_OUTPUT ? s
                : new String(b, 0, MAX_TOOL_OUTPUT, StandardCharsets.UTF_8) + "\n[output truncated]";
    }

    private static JsonNode arguments(ToolExecutionRequest call) {
        try {
            return Json.mapper().readTree(call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments());
        } catch (JsonProcessingException e) {
            return Json.mapper().createObjectNode();
        }
    }

    private static String category(String tool) {
        if (tool.startsWith(McpTools.PREFIX)) {
            return "integration";
        }
        return switch (tool) {
            case "run_shell" -> "command";
            case "finish", "ask_user" -> "review";
            case "send_message", "read_inbox", "spawn_agent" -> "integration";
            case "create_artifact" -> "documents";
            case "search_files", "list_files" -> "search";
            default -> "files";
        };
    }

    private static Map<String, Object> action(ToolExecutionRequest call) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("type", "action");
        block.put("id", call.id());
        block.put("category", category(call.name()));
        block.put("name", call.name());
        // a write_file of a large file must not make the transcript append too big for the server
        block.put("input", Blocks.cutAll(Json.mapper().convertValue(arguments(call), Map.class)));
        return block;
    }

    private static Map<String, Object> result(ToolExecutionRequest call, String state, Map<String, Object> output) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("type", "action_result");
        block.put("action_id", call.id());
        block.put("category", category(call.name()));
        block.put("name", call.name());
        block.put("state", state);
        block.put("output", output);
        return block;
    }
}
