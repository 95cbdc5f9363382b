package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * A test double for an outside service that cannot be reached here: an OpenAI-compatible chat completions server
 * that answers each request with the next scripted tool call, and records what it was sent.
 */
final class ScriptedModelServer implements AutoCloseable {
    private final HttpServer server;
    private final ConcurrentLinkedQueue<ObjectNode> script = new ConcurrentLinkedQueue<>();
    /** Scripts for requests whose prompt mentions a marker (several agents sharing one model server). */
    private final Map<String, ConcurrentLinkedQueue<ObjectNode>> byMarker = new java.util.concurrent.ConcurrentHashMap<>();
    private String marker;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    ScriptedModelServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = Json.mapper().readTree(exchange.getRequestBody());
            requests.add(request);
            String prompt = firstUserMessage(request);
            ObjectNode reply = byMarker.entrySet().stream().filter(e -> prompt.contains(e.getKey()))
                    .map(e -> e.getValue().poll()).filter(java.util.Objects::nonNull).findFirst()
                    .orElseGet(script::poll);
            byte[] body = (reply == null ? error("script exhausted") : reply).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply == null ? 500 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    static String firstUserMessage(JsonNode request) {
        for (JsonNode m : request.get("messages")) {
            if (m.path("role").asText().equals("user")) {
                return m.path("content").toString();
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
        ObjectNode reply = Json.mapper().createObjectNode();
        reply.put("id", "chatcmpl-" + script.size()).put("object", "chat.completion").put("created", 1).put("model", "scripted");
        ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant");
        message.putNull("content");
        ArrayNode calls = message.putArray("tool_calls");
        ObjectNode call = calls.addObject().put("id", "call_" + tool + "_" + script.size()).put("type", "function");
        call.putObject("function").put("name", tool).put("arguments", Json.mapper().valueToTree(arguments).toString());
        reply.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls").set("message", message);
        reply.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
        (marker == null ? script : byMarker.get(marker)).add(reply);
        return this;
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
