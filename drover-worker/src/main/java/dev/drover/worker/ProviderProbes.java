package dev.drover.worker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One cheap authenticated call to each model provider this environment configures (the variables
 * {@link ModelProviders} reads): listing the provider's models, which costs no tokens and fails exactly when a
 * key is wrong or the endpoint unreachable. Used by {@code drover doctor}.
 */
public final class ProviderProbes {
    /** One provider's answer: {@code ok}, or what went wrong and what to do about it. */
    public record Probe(String provider, boolean ok, String detail) {}

    private ProviderProbes() {}

    /** The providers configured in {@code env}, each probed; empty when none is. */
    public static List<Probe> run(Map<String, String> env, Duration timeout) {
        List<Probe> out = new ArrayList<>();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            String openAiKey = get(env, "OPENAI_API_KEY");
            String openAiUrl = get(env, "OPENAI_BASE_URL");
            if (openAiKey != null || openAiUrl != null) {
                String base = strip(openAiUrl == null ? "https://api.openai.com/v1" : openAiUrl);
                HttpRequest.Builder r = request(base + "/models", timeout);
                if (openAiKey != null) {
                    r.header("Authorization", "Bearer " + openAiKey);
                }
                out.add(probe(http, "openai", r.build(), "OPENAI_API_KEY / OPENAI_BASE_URL"));
            }
            String anthropicKey = get(env, "ANTHROPIC_API_KEY");
            if (anthropicKey != null) {
                String url = get(env, "ANTHROPIC_BASE_URL");
                String base = ModelProviders.withVersion(url == null ? "https://api.anthropic.com" : url, "v1");
                out.add(probe(http, "anthropic", request(base + "/models", timeout).header("x-api-key", anthropicKey)
                        .header("anthropic-version", "2023-06-01").build(), "ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL"));
            }
            String geminiKey = get(env, "GEMINI_API_KEY") != null ? get(env, "GEMINI_API_KEY") : get(env, "GOOGLE_API_KEY");
            if (geminiKey != null) {
                String url = get(env, "GEMINI_BASE_URL") != null ? get(env, "GEMINI_BASE_URL") : get(env, "GOOGLE_GEMINI_BASE_URL");
                String base = ModelProviders.withVersion(url == null ? "https://generativelanguage.googleapis.com" : url, "v1beta");
                out.add(probe(http, "gemini", request(base + "/models", timeout).header("x-goog-api-key", geminiKey).build(),
                        "GEMINI_API_KEY / GEMINI_BASE_URL"));
            }
            String ollama = get(env, "OLLAMA_BASE_URL") != null ? get(env, "OLLAMA_BASE_URL") : get(env, "OLLAMA_HOST");
            if (ollama != null) {
                out.add(probe(http, "ollama", request(ModelProviders.ollamaUrl(ollama) + "/api/tags", timeout).build(),
                        "OLLAMA_BASE_URL / OLLAMA_HOST"));
            }
        }
        return out;
    }

    private static HttpRequest.Builder request(String url, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
    }

    /** The call, with its URL in the answer but never the key (it travels in a header only). */
    private static Probe probe(HttpClient http, String provider, HttpRequest request, String variables) {
        String where = request.uri().toString();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                return new Probe(provider, true, "GET " + where + " answered " + status);
            }
            String why = status == 401 || status == 403 ? "the key was refused" : "unexpected answer";
            return new Probe(provider, false, "GET " + where + " answered " + status + " (" + why + "); check " + variables);
        } catch (IOException | IllegalArgumentException e) {
            return new Probe(provider, false, "cannot reach " + where + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check " + variables);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(provider, false, "interrupted");
        }
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
