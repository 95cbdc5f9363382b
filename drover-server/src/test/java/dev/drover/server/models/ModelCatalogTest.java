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

    @Test
    void eachProviderIsEnabledByItsOwnVariablesOnly() {
        Map<String, String> providerOf = Map.of("OPENAI_API_KEY", "OPENAI", "OPENAI_BASE_URL", "OPENAI",
                "ANTHROPIC_API_KEY", "ANTHROPIC", "GEMINI_API_KEY", "GOOGLE", "GOOGLE_API_KEY", "GOOGLE",
                "OLLAMA_HOST", "UNKNOWN", "OLLAMA_BASE_URL", "UNKNOWN");
        providerOf.forEach((variable, provider) -> {
            ModelCatalog catalog = new ModelCatalog(Map.of(variable, "x"), null);
            assertThat(catalog.list().models()).as(variable).anySatisfy(m -> assertThat(m.provider()).isEqualTo(provider))
                    .allSatisfy(m -> assertThat(m.disableReason() == null).as(m.id())
                            .isEqualTo(m.provider().equals(provider)));
            String first = catalog.list().models().stream().filter(m -> m.disableReason() == null).findFirst()
                    .orElseThrow().id();
            assertThat(catalog.defaultModelId()).as("the first enabled model is the default").isEqualTo(first);
            catalog.checkUsable(first);
        });
        ModelCatalog blank = new ModelCatalog(Map.of("OPENAI_API_KEY", "  ", "ANTHROPIC_API_KEY", ""), null);
        assertThat(blank.list().models()).as("blank values configure nothing")
                .allSatisfy(m -> assertThat(m.disableReason()).isNotNull());
    }

    @Test
    void aDisabledModelFromTheFileKeepsItsDescriptionAndSaysHowToEnableIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, """
                models:
                  - id: house
                    provider: Anthropic
                    description: our tuned model
                """);
        ModelInfo house = new ModelCatalog(Map.of(), file).list().models().stream()
                .filter(m -> m.id().equals("house")).findFirst().orElseThrow();
        assertThat(house.provider()).isEqualTo("ANTHROPIC");
        assertThat(house.description()).startsWith("our tuned model").contains("set ANTHROPIC_API_KEY");
        ModelInfo enabled = new ModelCatalog(Map.of("ANTHROPIC_API_KEY", "k"), file).list().models().stream()
                .filter(m -> m.id().equals("house")).findFirst().orElseThrow();
        assertThat(enabled.description()).isEqualTo("our tuned model");
        assertThat(enabled.disableReason()).isNull();
    }

    @Test
    void providersAreReadInAnyCaseAndUnderTheirApiNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.json");
        Files.writeString(file, """
                {"models": [{"id": "a", "provider": "OPENAI"}, {"id": "b", "provider": "GOOGLE"},
                            {"id": "c", "provider": "Ollama"}]}
                """);
        ModelCatalog catalog = new ModelCatalog(Map.of("OPENAI_API_KEY", "k", "GEMINI_API_KEY", "k", "OLLAMA_HOST", "h"),
                file);
        catalog.checkUsable("a");
        catalog.checkUsable("b");
        catalog.checkUsable("c");
        assertThat(catalog.list().models()).filteredOn(m -> m.id().equals("b")).extracting(ModelInfo::provider)
                .containsExactly("GOOGLE");
    }

    @Test
    void aModelsFileWithAProviderDroverCannotServeIsRefusedAtStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, "models:\n  - id: m\n    provider: mistral\n");
        assertThatThrownBy(() -> new ModelCatalog(Map.of(), file)).hasMessageContaining("mistral")
                .hasMessageContaining(file.toString()).hasMessageContaining("openai, anthropic, gemini, ollama");
        Files.writeString(file, "models:\n  - id: m\n");
        assertThatThrownBy(() -> new ModelCatalog(Map.of(), file)).hasMessageContaining("provider");
        Files.writeString(file, "models: [\n");
        assertThatThrownBy(() -> new ModelCatalog(Map.of(), file)).hasMessageContaining(file.toString());
    }

    @Test
    void aFileEntryWithABuiltInIdReplacesTheBuiltInInPlace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, """
                models:
                  - id: gpt-5
                    display_name: GPT-5 via the proxy
                    provider: openai
                    input_price_per_million: 2
                    output_price_per_million: 20
                """);
        ModelCatalog catalog = new ModelCatalog(Map.of("OPENAI_API_KEY", "k"), file);
        assertThat(catalog.list().models().getFirst().displayName()).isEqualTo("GPT-5 via the proxy");
        assertThat(catalog.list().models()).filteredOn(m -> m.id().equals("gpt-5")).hasSize(1);
        assertThat(catalog.cost("gpt-5", 1_000_000, 500_000)).isEqualTo(12.0);
        assertThat(catalog.cost("no-such-model", 1_000_000, 1_000_000)).isZero();
    }
}
