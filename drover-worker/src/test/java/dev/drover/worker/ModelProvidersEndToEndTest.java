package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The oz harness against each provider's wire format, end to end: a real server and worker, and a scripted test
 * double of the provider (Anthropic messages, Gemini generateContent, Ollama /api/chat, OpenAI chat completions)
 * whose tool calls write, edit, search and read a file; each result must reach the model in its next request.
 */
class ModelProvidersEndToEndTest {

    /** How a provider is configured: the server's enabling variable, the worker's variables, a model it serves. */
    record Setup(Map<String, String> serverEnv, Map<String, String> workerEnv, String modelId) {}

    static Setup setup(ScriptedModelServer.Wire wire, String url) {
        return switch (wire) {
            case OPENAI -> new Setup(Map.of("OPENAI_API_KEY", "sk-scripted"),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", url), "gpt-5-mini");
            case ANTHROPIC -> new Setup(Map.of("ANTHROPIC_API_KEY", "sk-ant-scripted"),
                    Map.of("ANTHROPIC_API_KEY", "sk-ant-scripted", "ANTHROPIC_BASE_URL", url), "claude-haiku-4-5");
            case GEMINI -> new Setup(Map.of("GEMINI_API_KEY", "gm-scripted"),
                    Map.of("GEMINI_API_KEY", "gm-scripted", "GEMINI_BASE_URL", url), "gemini-2.5-flash");
            // a model only the models file knows, so the provider must come from the server's catalog
            case OLLAMA -> new Setup(Map.of("OLLAMA_BASE_URL", url), Map.of("OLLAMA_BASE_URL", url), "qwen3-coder");
        };
    }

    private static Worker worker(TestServer server, Map<String, String> env) throws Exception {
        Api key = server.newWorkerKey("providers-" + UUID.randomUUID());
        return new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "providers", "default", 1,
                Files.createTempDirectory("drover-providers-"), WorkerConfig.DEFAULT_RUN_TIMEOUT,
                WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(), env, null).withIsolation(IsolationSettings.of("none"))).start();
    }

    private static JsonNode awaitEnd(Api user, String run) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR|BLOCKED"));
        return user.get("/agent/runs/" + run).json();
    }

    @ParameterizedTest
    @EnumSource(ScriptedModelServer.Wire.class)
    void theModelCallsFileToolsThroughItsProvidersWireFormatAndSeesEveryResult(ScriptedModelServer.Wire wire,
            @TempDir Path dir) throws Exception {
        Path models = dir.resolve("models.yaml");
        Files.writeString(models, """
                models:
                  - id: qwen3-coder
                    provider: ollama
                    input_price_per_million: 1.0
                    output_price_per_million: 2.0
                """);
        try (ScriptedModelServer model = new ScriptedModelServer(wire)) {
            Setup setup = setup(wire, model.baseUrl());
            try (TestServer server = TestServer.start(Backend.SQLITE,
                    Backend.SQLITE.freshConfig().withEnv(setup.serverEnv()).withModelsFile(models));
                    Worker worker = worker(server, setup.workerEnv())) {
                model.thenCall("write_file", Map.of("path", "notes/todo.txt", "content", "alpha\nbeta\n"))
                        .thenCall("edit_file", Map.of("path", "notes/todo.txt", "old_text", "beta", "new_text", "gamma"))
                        .thenCall("search_files", Map.of("pattern", "gam+a"))
                        .thenCall("list_files", Map.of())
                        .thenCall("read_file", Map.of("path", "notes/todo.txt"))
                        .thenCall("finish", Map.of("success", true, "summary", "edited via " + wire));
                Api user = server.admin();
                String run = user.post("/agent/runs", Map.of("prompt", "Keep a todo list",
                        "config", Map.of("model_id", setup.modelId()))).json().get("run_id").asText();
                JsonNode done = awaitEnd(user, run);
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("status_message").get("message").asText()).isEqualTo("edited via " + wire);

                assertThat(model.received).hasSize(6);
                assertThat(model.received).allSatisfy(r -> assertThat(r.model()).isEqualTo(setup.modelId()));
                if (wire != ScriptedModelServer.Wire.OLLAMA) {
                    assertThat(model.received.getFirst().apiKey()).contains(setup.workerEnv().values().stream()
                            .filter(v -> !v.startsWith("http")).findFirst().orElseThrow());
                }
                assertThat(model.requests.getFirst().findValuesAsText("name"))
                        .contains("run_shell", "read_file", "write_file", "edit_file", "list_files", "search_files", "finish");
                assertThat(model.requests.get(1).toString()).contains("wrote notes/todo.txt");
                assertThat(model.requests.get(2).toString()).contains("edited notes/todo.txt: replaced 1 occurrence");
                assertThat(model.requests.get(3).toString()).contains("notes/todo.txt:2: gamma");
                assertThat(model.requests.get(4).toString()).contains("notes/").contains("notes/todo.txt");
                assertThat(model.requests.get(5).toString()).contains("alpha\\ngamma");

                JsonNode usage = done.get("request_usage");
                assertThat(usage.get("input_tokens").asLong()).isEqualTo(600);
                assertThat(usage.get("output_tokens").asLong()).isEqualTo(120);
                String conversation = user.get("/agent/runs/" + run + "/conversation").json().toString();
                assertThat(conversation).contains("\"name\":\"edit_file\"").contains("\"category\":\"search\"");
            }
        }
    }

    @Test
    void aModelWhoseProviderHasNoCredentialsOnTheWorkerFailsNamingTheVariable() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig()
                .withEnv(Map.of("ANTHROPIC_API_KEY", "k", "GEMINI_API_KEY", "k", "OPENAI_API_KEY", "k")));
                Worker worker = worker(server, Map.of("OPENAI_API_KEY", "sk-only-openai"))) {
            Api user = server.admin();
            Map<String, String> expected = Map.of("claude-sonnet-4-5", "ANTHROPIC_API_KEY",
                    "gemini-2.5-pro", "GEMINI_API_KEY (or GOOGLE_API_KEY)");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("model_id", e.getKey())))
                        .json().get("run_id").asText();
                JsonNode done = awaitEnd(user, run);
                assertThat(done.get("state").asText()).isEqualTo("FAILED");
                assertThat(done.get("status_message").get("message").asText()).contains(e.getKey())
                        .contains("needs " + e.getValue());
                assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("integration_not_configured");
            }
        }
    }
}
