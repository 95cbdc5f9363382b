package dev.drover.server.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /agent/models} and model checks at run creation, against a real server. */
class ModelsApiTest {

    @Test
    void modelsReflectTheServersProvidersAndRunCreationChecksThem() {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-test")))) {
            Api api = server.admin();
            JsonNode models = api.get("/agent/models").json();
            assertThat(models.get("default_model_id").asText()).isEqualTo("gpt-5");
            for (JsonNode m : models.get("models")) {
                assertThat(m.has("id") && m.has("display_name") && m.has("provider") && m.has("vision_supported")).isTrue();
                boolean openai = m.get("provider").asText().equals("OPENAI");
                assertThat(m.has("disable_reason")).as(m.toString()).isEqualTo(!openai);
            }
            assertThat(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("model_id", "gpt-5-mini"))).status())
                    .isEqualTo(200);
            Api.Reply disabled = api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("model_id", "claude-opus-4-1")));
            assertThat(disabled.status()).isEqualTo(400);
            assertThat(disabled.json().get("detail").asText()).startsWith("config.model_id:").contains("disabled");
            assertThat(server.anonymous().get("/agent/models").status()).isEqualTo(401);
        }
    }
}
