package dev.drover.server.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /agent/models} and the model check at run creation, against real servers configured three ways. The
 * catalog never touches the database, so these run on SQLite only; run creation itself is covered on both.
 */
class ModelsApiTest {
    private static final Map<String, String> ENABLING_VARIABLE = Map.of(
            "OPENAI", "OPENAI_API_KEY", "ANTHROPIC", "ANTHROPIC_API_KEY", "GOOGLE", "GEMINI_API_KEY",
            "UNKNOWN", "OLLAMA_HOST");

    private static TestServer start(ServerConfig config) {
        return TestServer.start(Backend.SQLITE, config);
    }

    private static Api.Reply createWithModel(Api api, Object modelId) {
        return api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("model_id", modelId)));
    }

    private static void assertRefusedNamingTheModel(Api.Reply r, String... words) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        String detail = r.json().get("detail").asText();
        assertThat(detail).startsWith("config.model_id:");
        for (String word : words) {
            assertThat(detail).contains(word);
        }
    }

    private static List<JsonNode> models(JsonNode list) {
        List<JsonNode> out = new ArrayList<>();
        list.get("models").forEach(out::add);
        return out;
    }

    @Test
    void withNoProviderEveryModelIsDisabledAndSaysWhichVariableEnablesIt() {
        try (TestServer server = start(Backend.SQLITE.freshConfig())) {
            Api api = server.admin();
            Api.Reply reply = api.get("/agent/models");
            assertThat(reply.status()).isEqualTo(200);
            JsonNode list = reply.json();
            assertThat(list.get("default_model_id").asText()).isNotEmpty();
            assertThat(models(list)).isNotEmpty().allSatisfy(m -> {
                assertThat(m.get("disable_reason").asText()).as(m.toString()).isEqualTo("ADMIN_DISABLED");
                assertThat(m.get("description").asText()).as(m.toString())
                        .contains(ENABLING_VARIABLE.get(m.get("provider").asText()));
            });
            assertThat(models(list)).extracting(m -> m.get("provider").asText())
                    .contains("OPENAI", "ANTHROPIC", "GOOGLE");

            for (JsonNode m : models(list)) {
                assertRefusedNamingTheModel(createWithModel(api, m.get("id").asText()), "disabled",
                        ENABLING_VARIABLE.get(m.get("provider").asText()));
            }
            assertThat(api.post("/agent/runs", Map.of("prompt", "no model asked for")).status()).isEqualTo(200);
            assertThat(api.get("/agent/runs").json().get("runs")).hasSize(1);
        }
    }

    @Test
    void anOpenAiKeyInTheServersEnvironmentEnablesTheOpenAiModels() {
        try (TestServer server = start(Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-test")))) {
            Api api = server.admin();
            JsonNode list = api.get("/agent/models").json();
            assertThat(list.get("default_model_id").asText()).isEqualTo("gpt-5");
            for (JsonNode m : models(list)) {
                assertThat(m.has("id") && m.has("display_name") && m.has("provider") && m.has("vision_supported"))
                        .as(m.toString()).isTrue();
                boolean openai = m.get("provider").asText().equals("OPENAI");
                assertThat(m.has("disable_reason")).as(m.toString()).isEqualTo(!openai);
                if (openai) {
                    assertThat(m.has("description")).as("nothing to explain").isFalse();
                }
            }
            assertThat(models(list)).filteredOn(m -> m.get("provider").asText().equals("OPENAI"))
                    .extracting(m -> m.get("id").asText()).contains("gpt-5", "gpt-5-mini");

            Api.Reply ok = createWithModel(api, "gpt-5-mini");
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            assertThat(api.get("/agent/runs/" + ok.json().get("run_id").asText()).json().get("agent_config")
                    .get("model_id").asText()).isEqualTo("gpt-5-mini");
            assertRefusedNamingTheModel(createWithModel(api, "claude-opus-4-1"), "disabled", "ANTHROPIC_API_KEY");
            assertRefusedNamingTheModel(createWithModel(api, "gpt-9-turbo"), "unknown", "gpt-9-turbo");
            assertRefusedNamingTheModel(createWithModel(api, ""), "must not be blank"); // the text rule (docs/api.md)
            assertRefusedNamingTheModel(createWithModel(api, 5));
            assertThat(api.get("/agent/runs").json().get("runs")).as("refused runs were not created").hasSize(1);
            assertThat(server.anonymous().get("/agent/models").status()).isEqualTo(401);
        }
    }

    @Test
    void aModelsFileAddsModelsAndTheDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, """
                default_model_id: local-coder
                models:
                  - id: local-coder
                    display_name: Local coder
                    provider: ollama
                    description: a model on the GPU under the desk
                    reasoning_level: low
                  - id: house-gpt
                    provider: OPENAI
                    vision_supported: true
                    description: the house fine-tune
                """);
        ServerConfig config = Backend.SQLITE.freshConfig().withModelsFile(file)
                .withEnv(Map.of("OLLAMA_HOST", "http://127.0.0.1:11434"));
        try (TestServer server = start(config)) {
            Api api = server.admin();
            JsonNode list = api.get("/agent/models").json();
            assertThat(list.get("default_model_id").asText()).isEqualTo("local-coder");
            JsonNode local = models(list).stream().filter(m -> m.get("id").asText().equals("local-coder")).findFirst()
                    .orElseThrow();
            assertThat(local.get("display_name").asText()).isEqualTo("Local coder");
            assertThat(local.get("description").asText()).isEqualTo("a model on the GPU under the desk");
            assertThat(local.get("reasoning_level").asText()).isEqualTo("low");
            assertThat(local.get("vision_supported").asBoolean()).isFalse();
            assertThat(local.has("disable_reason")).isFalse();
            JsonNode house = models(list).stream().filter(m -> m.get("id").asText().equals("house-gpt")).findFirst()
                    .orElseThrow();
            assertThat(house.get("provider").asText()).isEqualTo("OPENAI");
            assertThat(house.get("display_name").asText()).as("the id when no name is given").isEqualTo("house-gpt");
            assertThat(house.get("disable_reason").asText()).isEqualTo("ADMIN_DISABLED");
            assertThat(house.get("description").asText()).startsWith("the house fine-tune").contains("OPENAI_API_KEY");

            assertThat(createWithModel(api, "local-coder").status()).isEqualTo(200);
            assertRefusedNamingTheModel(createWithModel(api, "house-gpt"), "disabled");
        }
    }
}
