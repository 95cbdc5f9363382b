package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The run's HTTP clients cut a streaming model request too: Drover's agent calls its model without streaming (the
 * end-to-end tests cover that), but every provider's streaming client is built from the same kind of builder, and a
 * stop must drop its connection just the same.
 */
class HttpConnectionsTest {

    static StreamingChatModel streaming(ScriptedModelServer.Wire wire, String url, HttpConnections connections) {
        return switch (wire) {
            case OPENAI -> OpenAiStreamingChatModel.builder().baseUrl(url).apiKey("sk-scripted").modelName("gpt-5-mini")
                    .httpClientBuilder(connections.forModels()).build();
            case ANTHROPIC -> AnthropicStreamingChatModel.builder().baseUrl(url + "/v1").apiKey("sk-ant-scripted")
                    .modelName("claude-haiku-4-5").maxTokens(100).httpClientBuilder(connections.forModels()).build();
            case GEMINI -> GoogleAiGeminiStreamingChatModel.builder().baseUrl(url + "/v1beta").apiKey("gm-scripted")
                    .modelName("gemini-2.5-flash").httpClientBuilder(connections.forModels()).build();
            case OLLAMA -> OllamaStreamingChatModel.builder().baseUrl(url).modelName("qwen3-coder")
                    .httpClientBuilder(connections.forModels()).build();
        };
    }

    @ParameterizedTest
    @EnumSource(ScriptedModelServer.Wire.class)
    void abortingTheRunsConnectionsDropsAStreamingModelRequestInFlight(ScriptedModelServer.Wire wire) throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer(wire)) {
            model.thenHang(Duration.ofSeconds(60), "finish", Map.of("success", true, "summary", "too late"));
            HttpConnections connections = new HttpConnections();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            streaming(wire, model.baseUrl(), connections).chat("Say something slowly", new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {}

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    ended.complete(null);
                }

                @Override
                public void onError(Throwable error) {
                    ended.complete(error);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !model.hanging.isEmpty());

            Instant stopped = Instant.now();
            connections.abort();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !model.aborted.isEmpty());
            assertThat(Duration.between(stopped, model.aborted.getFirst().getValue())).isLessThan(Duration.ofSeconds(10));
            assertThat(ended.get(2, TimeUnit.SECONDS)).as("the caller hears the request failed").isNotNull();
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> model.requests.size() == 1); // and no retry went out
        }
    }
}
