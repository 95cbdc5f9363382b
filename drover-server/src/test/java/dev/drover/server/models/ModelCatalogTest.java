package dev.drover.server.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.ModelInfo;
import dev.drover.server.http.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

    @Test
    void withNoProviderEveryModelIsDisabledAndSaysWhichVariableEnablesIt() {
        ModelCatalog catalog = new ModelCatalog(Map.of(), null);
        assertThat(catalog.list().models()).allSatisfy(m -> {
            assertThat(m.disableReason()).isEqualTo("ADMIN_DISABLED");
            assertThat(m.description()).containsPattern("set [A-Z_]+");
        });
        assertThatThrownBy(() -> catalog.checkUsable("gpt-5")).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("config.model_id:");
    }

    @Test
    void aConfiguredProviderEnablesItsModelsAndBecomesTheDefault() {
        ModelCatalog catalog = new ModelCatalog(Map.of("ANTHROPIC_API_KEY", "k"), null);
        assertThat(catalog.defaultModelId()).isEqualTo("claude-sonnet-4-5");
        ModelInfo sonnet = catalog.list().models().stream().filter(m -> m.id().equals("claude-sonnet-4-5")).findFirst().orElseThrow();
        assertThat(sonnet.disableReason()).isNull();
        assertThat(sonnet.provider()).isEqualTo("ANTHROPIC");
        catalog.checkUsable("claude-sonnet-4-5");
        assertThatThrownBy(() -> catalog.checkUsable("gpt-5")).hasMessageContaining("disabled");
        assertThatThrownBy(() -> catalog.checkUsable("no-such")).hasMessageContaining("unknown model");
    }

    @Test
    void aModelsFileAddsModelsAndChoosesTheDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, """
                default_model_id: local-coder
                models:
                  - id: local-coder
                    display_name: Local coder
                    provider: ollama
                    vision_supported: false
                    input_price_per_million: 0
                """);
        ModelCatalog catalog = new ModelCatalog(Map.of("OLLAMA_HOST", "http://127.0.0.1:11434"), file);
        assertThat(catalog.defaultModelId()).isEqualTo("local-coder");
        assertThat(catalog.list().models()).anySatisfy(m -> {
            assertThat(m.id()).isEqualTo("local-coder");
            assertThat(m.displayName()).isEqualTo("Local coder");
            assertThat(m.disableReason()).isNull();
        });
        catalog.checkUsable("local-coder");
    }

    @Test
    void aModelsFileWhoseDefaultIsNotListedIsRefusedAtStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, "default_model_id: ghost\n");
        assertThatThrownBy(() -> new ModelCatalog(Map.of(), file)).hasMessageContaining("ghost");
    }
}
