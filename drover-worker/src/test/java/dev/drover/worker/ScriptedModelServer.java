package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drover.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double for an outside service that cannot be reached here: a model provider's chat endpoint, in the wire
 * format of OpenAI (chat completions), Anthropic (messages), Gemini (generateContent) or Ollama (/api/chat), that
 * answers each request with the next scripted tool call and records what it was sent.
 */
final class ScriptedModelServer implements AutoCloseable {

    /** A provider's wire format: where its chat endpoint is and how a tool-calling reply looks. */
    enum Wire {
        OPENAI("/v1/chat/completions"),
        ANTHROPIC("/v1/messages"),
        GEMINI("/v1beta/models/"),
        OLLAMA("/api/chat");

        final String path;

        Wire(String path) {
            this.path = path;
        }
    }

    /** One request as received: the model it named, its API-key header, its body. */
    record Received(String model, String apiKey, JsonNode body) {}

    private final Wire wire;
    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    /** Scripts for requests whose prompt mentions a marker (several agents sharing one model server). */
    private final Map<String, ConcurrentLinkedQueue<Reply>> byMarker = new java.util.concurrent.ConcurrentHashMap<>();
    private String marker;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();

    private record Reply(String tool, Map<String, Object> arguments) {}

    ScriptedModelServer() {
        this(Wire.OPENAI);
    }

    ScriptedModelServer(Wire wire) {
        this.wire = wire;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(wire.path, this::answer);
        server.start();
    }

    private void answer(HttpExchange exchange) throws IOException {
        JsonNode request = Json.mapper().readTree(exchange.getRequestBody());
        String path = exchange.getRequestURI().getPath();
        String model = wire == Wire.GEMINI
                ? path.substring(Wire.GEMINI.path.length(), path.indexOf(':', Wire.GEMINI.path.length()))
                : request.path("model").asText();
        String key = switch (wire) {
            case OPENAI -> exchange.getRequestHeaders().getFirst("Authorization");
            case ANTHROPIC -> exchange.getRequestHeaders().getFirst("x-api-key");
            case GEMINI -> exchange.getRequestHeaders().getFirst("x-goog-api-key");
            case OLLAMA -> null;
        };
        requests.add(request);
        received.add(new Received(model, key, request));
        String prompt = firstUserMessage(request);
        Reply reply = byMarker.entrySet().stream().filter(e -> prompt.contains(e.getKey()))
                .map(e -> e.getValue().poll()).filter(java.util.Objects::nonNull).findFirst()
                .orElseGet(script::poll);
        byte[] body = (reply == null ? error("script exhausted") : render(reply, calls.getAndIncrement()))
                .toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply == null ? 500 : 200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** What the worker's provider variable points at for this wire format. */
    String baseUrl() {
        String root = "http://127.0.0.1:" + server.getAddress().getPort();
        return wire == Wire.OPENAI ? root + "/v1" : root;
    }

    /** The first user message of a request of any wire format (OpenAI/Anthropic/Ollama messages, Gemini contents). */
    static String firstUserMessage(JsonNode request) {
        JsonNode list = request.has("messages") ? request.get("messages") : request.path("contents");
        for (JsonNode m : list) {
            if (m.path("role").asText().equals("user")) {
                return m.has("content") ? m.path("content").toString() : m.path("parts").toString();
            }
        }
        return "";
    }

    /** Following {@link #thenCall}s answer only agents whose prompt (first user message) mentions {@code marker}. */
    ScriptedModelServer whenPromptMentions(String marker) {
        this.marker = marker;
        byMarker.putIfAbsent(marker, new ConcurrentLinkedQueue<>());
        return this;
    }

    /** Queues a reply that calls {@code tool} with {@code arguments}. */
    ScriptedModelServer thenCall(String tool, Map<String, Object> arguments) {
        (marker == null ? script : byMarker.get(marker)).add(new Reply(tool, arguments));
        return this;
    }

    /** A reply calling the tool, with 100 input and 20 output tokens of usage, in the wire format. */
    private ObjectNode render(Reply r, int n) {
        ObjectNode args = Json.mapper().valueToTree(r.arguments());
        ObjectNode reply = Json.mapper().createObjectNode();
        switch (wire) {
            case OPENAI -> {
                reply.put("id", "chatcmpl-" + n).put("object", "chat.completion").put("created", 1).put("model", "scripted");
                ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant");
                message.putNull("content");
                ArrayNode calls = message.putArray("tool_calls");
                ObjectNode call = calls.addObject().put("id", "call_" + r.tool() + "_" + n).put("type", "function");
                call.putObject("function").put("name", r.tool()).put("arguments", args.toString());
                reply.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls").set("message", message);
                reply.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
            }
            case ANTHROPIC -> {
                reply.put("id", "msg_" + n).put("type", "message").put("role", "assistant").put("model", "scripted");
                reply.putArray("content").addObject().put("type", "tool_use").put("id", "toolu_" + n)
                        .put("name", r.tool()).set("input", args);
                reply.put("stop_reason", "tool_use").putNull("stop_sequence");
                reply.putObject("usage").put("input_tokens", 100).put("output_tokens", 20);
            }
            case GEMINI -> {
                ObjectNode candidate = reply.putArray("candidates").addObject();
                ObjectNode content = candidate.putObject("content").put("role", "model");
                content.putArray("parts").addObject().putObject("functionCall").put("name", r.tool()).set("args", args);
                candidate.put("finishReason", "STOP").put("index", 0);
                reply.putObject("usageMetadata").put("promptTokenCount", 100).put("candidatesTokenCount", 20)
                        .put("totalTokenCount", 120);
                reply.put("modelVersion", "scripted");
            }
            case OLLAMA -> {
                reply.put("model", "scripted").put("created_at", "2026-01-01T00:00:00Z");
                ObjectNode message = reply.putObject("message").put("role", "assistant").put("content", "");
                message.putArray("tool_calls").addObject().putObject("function").put("name", r.tool()).set("arguments", args);
                reply.put("done", true).put("done_reason", "stop").put("prompt_eval_count", 100).put("eval_count", 20);
            }
        }
        return reply;
    }

    private static ObjectNode error(String message) {
        ObjectNode e = Json.mapper().createObjectNode();
        e.putObject("error").put("message", message);
        return e;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
