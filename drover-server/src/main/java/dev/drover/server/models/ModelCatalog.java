package dev.drover.server.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.drover.api.ListModelsResponse;
import dev.drover.api.ModelInfo;
import dev.drover.server.http.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models runs may ask for. Built-in entries cover the well-known models of each provider; a models file
 * (YAML or JSON) can add models, prices and a default. A model whose provider has no credentials in the
 * environment is listed as disabled, and runs asking for it are refused at creation.
 */
public final class ModelCatalog {

    /** One model as configured; {@code provider} is openai, anthropic, gemini or ollama. */
    public record Model(String id, String displayName, String provider, boolean visionSupported, String description,
            String reasoningLevel, Double inputPricePerMillion, Double outputPricePerMillion) {}

    /** Shape of the models file. */
    public record ModelsFile(String defaultModelId, List<Model> models) {}

    private static final List<Model> BUILT_IN = List.of(
            new Model("gpt-5", "GPT-5", "openai", true, null, "medium", 1.25, 10.0),
            new Model("gpt-5-mini", "GPT-5 mini", "openai", true, null, "medium", 0.25, 2.0),
            new Model("gpt-4.1", "GPT-4.1", "openai", true, null, null, 2.0, 8.0),
            new Model("claude-sonnet-4-5", "Claude Sonnet 4.5", "anthropic", true, null, null, 3.0, 15.0),
            new Model("claude-opus-4-1", "Claude Opus 4.1", "anthropic", true, null, null, 15.0, 75.0),
            new Model("claude-haiku-4-5", "Claude Haiku 4.5", "anthropic", true, null, null, 1.0, 5.0),
            new Model("gemini-2.5-pro", "Gemini 2.5 Pro", "gemini", true, null, null, 1.25, 10.0),
            new Model("gemini-2.5-flash", "Gemini 2.5 Flash", "gemini", true, null, null, 0.3, 2.5),
            new Model("llama3.1", "Llama 3.1 (Ollama)", "ollama", false, null, null, 0.0, 0.0));

    private final Map<String, Model> models;
    /** Model ids in listing order: built-ins first, then the file's additions. */
    private final List<String> order;
    private final Map<String, Boolean> providerConfigured;
    private final String configuredDefault;

    public ModelCatalog(Map<String, String> env, Path modelsFile) {
        Map<String, Model> all = new LinkedHashMap<>();
        BUILT_IN.forEach(m -> all.put(m.id(), m));
        String fileDefault = null;
        if (modelsFile != null) {
            ModelsFile file = read(modelsFile);
            if (file.models() != null) {
                for (Model m : file.models()) {
                    if (m == null || m.id() == null || m.id().isBlank() || m.provider() == null) {
                        throw new IllegalArgumentException(modelsFile + ": every model needs an id and a provider");
                    }
                    String provider = provider(m.provider()).orElseThrow(() -> new IllegalArgumentException(
                            modelsFile + ": model " + m.id() + " has provider \"" + m.provider()
                                    + "\"; expected one of " + String.join(", ", PROVIDERS)));
                    all.put(m.id(), new Model(m.id(), m.displayName(), provider, m.visionSupported(), m.description(),
                            m.reasoningLevel(), m.inputPricePerMillion(), m.outputPricePerMillion()));
                }
            }
            fileDefault = file.defaultModelId();
        }
        this.models = Map.copyOf(all);
        this.providerConfigured = Map.of(
                "openai", present(env, "OPENAI_API_KEY") || present(env, "OPENAI_BASE_URL"),
                "anthropic", present(env, "ANTHROPIC_API_KEY"),
                "gemini", present(env, "GEMINI_API_KEY") || present(env, "GOOGLE_API_KEY"),
                "ollama", present(env, "OLLAMA_BASE_URL") || present(env, "OLLAMA_HOST"));
        if (fileDefault != null && !all.containsKey(fileDefault)) {
            throw new IllegalArgumentException(modelsFile + ": default_model_id " + fileDefault + " is not a listed model");
        }
        this.configuredDefault = fileDefault;
        this.order = List.copyOf(all.keySet());
    }

    /** The providers Drover can configure from the environment. */
    static final List<String> PROVIDERS = List.of("openai", "anthropic", "gemini", "ollama");

    /**
     * A provider as a models file may spell it: any case, and the API's own names ({@code GOOGLE} for gemini), so
     * that a file written from {@code GET /agent/models} output works; empty for a provider Drover cannot serve.
     */
    static Optional<String> provider(String name) {
        String p = name.strip().toLowerCase(java.util.Locale.ROOT);
        if (p.equals("google")) {
            p = "gemini";
        }
        return PROVIDERS.contains(p) ? Optional.of(p) : Optional.empty();
    }

    private static boolean present(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    private static ModelsFile read(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        try {
            return yaml.readValue(file.toFile(), ModelsFile.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read models file " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean enabled(Model m) {
        return providerConfigured.getOrDefault(m.provider(), false);
    }

    /** What {@code inputTokens} and {@code outputTokens} of a model cost, in US dollars; unpriced models cost 0. */
    public double cost(String modelId, long inputTokens, long outputTokens) {
        Model m = models.get(modelId);
        if (m == null) {
            return 0;
        }
        double in = m.inputPricePerMillion() == null ? 0 : m.inputPricePerMillion();
        double out = m.outputPricePerMillion() == null ? 0 : m.outputPricePerMillion();
        return (inputTokens * in + outputTokens * out) / 1_000_000d;
    }

    public Optional<Model> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /** The file's default, else the first model whose provider is configured, else the first model. */
    public String defaultModelId() {
        if (configuredDefault != null) {
            return configuredDefault;
        }
        return order.stream().map(models::get).filter(this::enabled).map(Model::id).findFirst().orElse(order.getFirst());
    }

    /** Refuses a run's {@code config.model_id} that is unknown or whose provider is not configured. */
    public void checkUsable(String modelId) {
        Model m = models.get(modelId);
        if (m == null) {
            throw ApiException.badRequest("config.model_id", "unknown model \"" + modelId + "\"; see GET /agent/models");
        }
        if (!enabled(m)) {
            throw ApiException.badRequest("config.model_id", "model \"" + modelId + "\" is disabled: provider "
                    + m.provider() + " is not configured on this server (" + credentialHint(m.provider()) + ")");
        }
    }

    public ListModelsResponse list() {
        List<ModelInfo> out = new ArrayList<>();
        for (String id : order) {
            Model m = models.get(id);
            boolean on = enabled(m);
            // a disabled model always says how to enable it, also when the models file gave it a description
            String disabled = "provider " + m.provider() + " is not configured (" + credentialHint(m.provider()) + ")";
            String description = on ? m.description()
                    : m.description() != null ? m.description() + "; " + disabled : disabled;
            out.add(new ModelInfo(m.id(), m.displayName() != null ? m.displayName() : m.id(), wireProvider(m.provider()),
                    m.visionSupported(), description, m.reasoningLevel(), on ? null : "ADMIN_DISABLED"));
        }
        return new ListModelsResponse(defaultModelId(), out);
    }

    private static String wireProvider(String provider) {
        return switch (provider) {
            case "openai" -> "OPENAI";
            case "anthropic" -> "ANTHROPIC";
            case "gemini" -> "GOOGLE";
            default -> "UNKNOWN";
        };
    }

    private static String credentialHint(String provider) {
        return switch (provider) {
            case "openai" -> "set OPENAI_API_KEY or OPENAI_BASE_URL";
            case "anthropic" -> "set ANTHROPIC_API_KEY";
            case "gemini" -> "set GEMINI_API_KEY or GOOGLE_API_KEY";
            default -> "set OLLAMA_BASE_URL or OLLAMA_HOST";
        };
    }
}
