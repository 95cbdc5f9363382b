package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which client a model gets from which variables, and how provider URLs are written. */
class ModelProvidersTest {

    @Test
    void theCatalogsProviderWinsOverTheModelIdAndEachProviderReadsItsOwnVariables() {
        ModelProviders providers = new ModelProviders(Map.of("OPENAI_API_KEY", "a", "ANTHROPIC_API_KEY", "b",
                "GOOGLE_API_KEY", "c"), "gpt-5");
        assertThat(providers.resolve("my-claude-finetune", "openai").model()).isInstanceOf(OpenAiChatModel.class);
        assertThat(providers.resolve("house-model", "anthropic").model()).isInstanceOf(AnthropicChatModel.class);
        assertThat(providers.resolve("house-model", "GOOGLE").model()).isInstanceOf(GoogleAiGeminiChatModel.class);
        assertThat(providers.resolve("qwen3", "ollama").model()).as("Ollama needs no key").isInstanceOf(OllamaChatModel.class);
        assertThat(providers.resolve("claude-haiku-4-5", null).model()).isInstanceOf(AnthropicChatModel.class);
        assertThat(providers.resolve("gemini-2.5-pro", null).model()).isInstanceOf(GoogleAiGeminiChatModel.class);
        assertThat(providers.resolve("x", "mistral").problem()).contains("provider mistral");
        ModelProviders none = new ModelProviders(Map.of("ANTHROPIC_API_KEY", " "), "gpt-5");
        assertThat(none.resolve("gpt-5", null).problem()).contains("needs OPENAI_API_KEY (or OPENAI_BASE_URL)");
        assertThat(none.resolve("claude-opus-4-1", null).problem()).as("a blank key is no key")
                .contains("needs ANTHROPIC_API_KEY");
    }

    @Test
    void ollamaHostsAreTakenAsOllamaReadsThem() {
        assertThat(ModelProviders.ollamaUrl(null)).isEqualTo("http://localhost:11434");
        assertThat(ModelProviders.ollamaUrl("gpu-box")).isEqualTo("http://gpu-box:11434");
        assertThat(ModelProviders.ollamaUrl("0.0.0.0:8080")).isEqualTo("http://0.0.0.0:8080");
        assertThat(ModelProviders.ollamaUrl("https://ollama.example.com/")).isEqualTo("https://ollama.example.com");
    }

    @Test
    void baseUrlsGetTheApiVersionUnlessTheyNameOne() {
        assertThat(ModelProviders.withVersion("https://proxy.example.com", "v1")).isEqualTo("https://proxy.example.com/v1");
        assertThat(ModelProviders.withVersion("https://proxy.example.com/v1/", "v1")).isEqualTo("https://proxy.example.com/v1");
        assertThat(ModelProviders.withVersion("http://127.0.0.1:9/gw", "v1beta")).isEqualTo("http://127.0.0.1:9/gw/v1beta");
        assertThat(ModelProviders.withVersion("http://127.0.0.1:9/v1beta", "v1beta")).isEqualTo("http://127.0.0.1:9/v1beta");
    }
}
