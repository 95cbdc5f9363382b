package dev.drover.worker;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Model clients from the worker's own environment (providers are configured where the agents run), through
 * langchain4j: OpenAI and OpenAI-compatible servers ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}), Anthropic
 * ({@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}), Gemini ({@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY},
 * {@code GEMINI_BASE_URL} or {@code GOOGLE_GEMINI_BASE_URL}) and Ollama ({@code OLLAMA_BASE_URL}, else
 * {@code OLLAMA_HOST}, else {@code http://localhost:11434}).
 */
final class ModelProviders {
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final int MAX_RETRIES = 2;
    /** Anthropic's API requires a reply budget; every current Claude model allows at least this much. */
    static final int ANTHROPIC_MAX_TOKENS = 8192;
    static final String OLLAMA_DEFAULT_URL = "http://localhost:11434";

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

    /**
     * The provider of a model the server did not name one for (an older server): the same prefixes as the server's
     * built-in catalog, OpenAI-compatible otherwise.
     */
    static String guessProvider(String modelId) {
        String id = modelId.toLowerCase(Locale.ROOT);
        return id.startsWith("claude") ? "anthropic" : id.startsWith("gemini") ? "gemini"
                : id.startsWith("llama") ? "ollama" : "openai";
    }

    /** A client for {@code modelId} of {@code provider} (as the server's catalog says; null to guess from the id). */
    Resolved resolve(String modelId, String provider) {
        return resolve(modelId, provider, new HttpConnections());
    }

    /**
     * A client whose HTTP connections are made through {@code connections}, so that the run can cut a request in
     * flight (every provider's client is langchain4j's JDK client, streaming or not).
     */
    Resolved resolve(String modelId, String provider, HttpConnections connections) {
        String p = provider == null ? guessProvider(modelId) : provider.toLowerCase(Locale.ROOT);
        var http = connections.forModels();
        return switch (p) {
            case "openai" -> openAi(modelId, http);
            case "anthropic" -> anthropic(modelId, http);
            case "gemini", "google" -> gemini(modelId, http);
            case "ollama" -> ollama(modelId, http);
            default -> new Resolved(null, "Model " + modelId + " has provider " + provider
                    + ", which this worker does not support (openai, anthropic, gemini, ollama)");
        };
    }

    private Resolved openAi(String modelId, dev.langchain4j.http.client.HttpClientBuilder http) {
        String key = get("OPENAI_API_KEY");
        String url = get("OPENAI_BASE_URL");
        if (key == null && url == null) {
            return missing(modelId, "openai", "OPENAI_API_KEY (or OPENAI_BASE_URL)");
        }
        OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder().modelName(modelId)
                .apiKey(key == null ? "none" : key).httpClientBuilder(http).timeout(TIMEOUT).maxRetries(MAX_RETRIES);
        if (url != null) {
            b.baseUrl(url);
        }
        return new Resolved(b.build(), null);
    }

    private Resolved anthropic(String modelId, dev.langchain4j.http.client.HttpClientBuilder http) {
        String key = get("ANTHROPIC_API_KEY");
        if (key == null) {
            return missing(modelId, "anthropic", "ANTHROPIC_API_KEY");
        }
        AnthropicChatModel.AnthropicChatModelBuilder b = AnthropicChatModel.builder().modelName(modelId).apiKey(key)
                .maxTokens(ANTHROPIC_MAX_TOKENS).httpClientBuilder(http).timeout(TIMEOUT).maxRetries(MAX_RETRIES);
        String url = get("ANTHROPIC_BASE_URL");
        if (url != null) {
            // Anthropic's own SDKs and CLI take the host without the API version; langchain4j wants it included
            b.baseUrl(withVersion(url, "v1"));
        }
        return new Resolved(b.build(), null);
    }

    private Resolved gemini(String modelId, dev.langchain4j.http.client.HttpClientBuilder http) {
        String key = get("GEMINI_API_KEY") != null ? get("GEMINI_API_KEY") : get("GOOGLE_API_KEY");
        if (key == null) {
            return missing(modelId, "gemini", "GEMINI_API_KEY (or GOOGLE_API_KEY)");
        }
        GoogleAiGeminiChatModel.GoogleAiGeminiChatModelBuilder b = GoogleAiGeminiChatModel.builder().modelName(modelId)
                .apiKey(key).httpClientBuilder(http).timeout(TIMEOUT).maxRetries(MAX_RETRIES);
        String url = get("GEMINI_BASE_URL") != null ? get("GEMINI_BASE_URL") : get("GOOGLE_GEMINI_BASE_URL");
        if (url != null) {
            // Google's SDKs take the host and add the API version themselves, as we do
            b.baseUrl(withVersion(url, "v1beta"));
        }
        return new Resolved(b.build(), null);
    }

    private Resolved ollama(String modelId, dev.langchain4j.http.client.HttpClientBuilder http) {
        String url = get("OLLAMA_BASE_URL") != null ? get("OLLAMA_BASE_URL") : get("OLLAMA_HOST");
        return new Resolved(OllamaChatModel.builder().modelName(modelId).baseUrl(ollamaUrl(url)).httpClientBuilder(http).timeout(TIMEOUT)
                .maxRetries(MAX_RETRIES).build(), null);
    }

    /**
     * Ollama's own {@code OLLAMA_HOST} may be a bare {@code host[:port]} (port 11434 when left out, as Ollama reads
     * it); the client needs a URL.
     */
    static String ollamaUrl(String configured) {
        if (configured == null) {
            return OLLAMA_DEFAULT_URL;
        }
        if (configured.contains("://")) {
            return strip(configured);
        }
        String hostPort = strip(configured);
        return "http://" + (hostPort.matches(".*:\\d+") ? hostPort : hostPort + ":11434");
    }

    /** {@code url} ending in {@code /version}: added unless the URL already names a version. */
    static String withVersion(String url, String version) {
        String u = strip(url);
        return u.matches(".*/v\\d+(alpha|beta)?\\d*$") ? u : u + "/" + version;
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private String get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static Resolved missing(String modelId, String provider, String variable) {
        return new Resolved(null, "Model " + modelId + " is served by provider " + provider + ", which needs "
                + variable + " in the worker's environment; it is not set on this worker");
    }
}
