package dev.drover.worker;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Map;

/**
 * Model clients from the worker's own environment (providers are configured where the agents run): OpenAI and
 * OpenAI-compatible servers through {@code OPENAI_API_KEY}/{@code OPENAI_BASE_URL}.
 */
final class ModelProviders {
    private final Map<String, String> env;
    private final String defaultModel;

    ModelProviders(Map<String, String> env, String defaultModel) {
        this.env = Map.copyOf(env);
        this.defaultModel = defaultModel;
    }

    String defaultModel() {
        return defaultModel;
    }

    /** A model client, or why there is none. */
    record Resolved(ChatModel model, String problem) {}

    Resolved resolve(String modelId) {
        String provider = modelId.startsWith("claude") ? "anthropic" : modelId.startsWith("gemini") ? "gemini"
                : modelId.startsWith("llama") ? "ollama" : "openai";
        if (!provider.equals("openai")) {
            return new Resolved(null, "Model " + modelId + " needs the " + provider
                    + " provider, which this worker does not support yet; use an OpenAI-compatible model");
        }
        String key = env.get("OPENAI_API_KEY");
        String url = env.get("OPENAI_BASE_URL");
        if ((key == null || key.isBlank()) && (url == null || url.isBlank())) {
            return new Resolved(null, "Model " + modelId + " needs OPENAI_API_KEY (or OPENAI_BASE_URL) on the worker");
        }
        OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                .modelName(modelId)
                .apiKey(key == null || key.isBlank() ? "none" : key)
                .timeout(Duration.ofMinutes(5))
                .maxRetries(2);
        if (url != null && !url.isBlank()) {
            b.baseUrl(url);
        }
        return new Resolved(b.build(), null);
    }
}
