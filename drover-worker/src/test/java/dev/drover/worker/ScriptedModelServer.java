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
 * answers each request with the next scripted tool call(s) and records what it was sent.
 *
 * <p>A reply can also hang ({@link #thenHang}), as a slow model does: the answer's headers go out at once and its
 * body trickles (whitespace, which every provider's JSON parser skips) until the time is up, so the double notices
 * within a tenth of a second when the client drops the connection — {@link #aborted} records that.
 */
public final class ScriptedModelServer implements AutoCloseable {

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
    /** The first user message of each request whose reply started hanging. */
    final List<String> hanging = new CopyOnWriteArrayList<>();
    /** The first user message of each hanging request whose client dropped the connection, and when. */
    final List<Map.Entry<String, java.time.Instant>> aborted = new CopyOnWriteArrayList<>();

    /** One tool call of a reply. */
    record Call(String tool, Map<String, Object> arguments) {}

    /** A reply of one or more tool calls, sent at once or after {@code hang}. */
    private record Reply(List<Call> calls, java.time.Duration hang) {}

    public ScriptedModelServer() {
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
        // a request per thread: one reply hanging must not hold up the others
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
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
        if (reply != null && reply.hang() != null) {
            hang(exchange, prompt, reply.hang(), body);
            return;
        }
        exchange.sendResponseHeaders(reply == null ? 500 : 200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** Sends the headers, trickles a space every 100 ms for {@code hang}, then the body — unless the client leaves. */
    private void hang(HttpExchange exchange, String prompt, java.time.Duration hang, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, 0); // chunked: the length is not told in advance
        java.io.OutputStream out = exchange.getResponseBody();
        hanging.add(prompt);
        long end = System.nanoTime() + hang.toNanos();
        try {
            while (System.nanoTime() < end) {
                out.write(' ');
                out.flush();
                Thread.sleep(100); // the trickle's pace, which bounds how late a dropped connection is noticed
            }
            out.write(body);
            out.close();
        } catch (IOException dropped) {
            aborted.add(Map.entry(prompt, java.time.Instant.now()));
            exchange.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    /** What the worker's provider variable points at for this wire format. */
    public String baseUrl() {
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
    public ScriptedModelServer whenPromptMentions(String marker) {
        this.marker = marker;
        byMarker.putIfAbsent(marker, new ConcurrentLinkedQueue<>());
        return this;
    }

    /** Queues a reply that calls {@code tool} with {@code arguments}. */
    public ScriptedModelServer thenCall(String tool, Map<String, Object> arguments) {
        return then(new Reply(List.of(new Call(tool, arguments)), null));
    }

    /** Queues a reply that makes several tool calls in one turn, in this order. */
    ScriptedModelServer thenCallAll(Call... calls) {
        return then(new Reply(List.of(calls), null));
    }

    /** Queues a reply that takes {@code hang} to come, then calls {@code tool} — if the client is still there. */
    public ScriptedModelServer thenHang(java.time.Duration hang, String tool, Map<String, Object> arguments) {
        return then(new Reply(List.of(new Call(tool, arguments)), hang));
    }

    private ScriptedModelServer then(Reply reply) {
        (marker == null ? script : byMarker.get(marker)).add(reply);
        return this;
    }

    /** The requests whose first user message mentions {@code text}. */
    long requestsMentioning(String text) {
        return requests.stream().filter(r -> firstUserMessage(r).contains(text)).count();
    }

    /** A reply making the calls, with 100 input and 20 output tokens of usage, in the wire format. */
    private ObjectNode render(Reply r, int n) {
        ObjectNode reply = Json.mapper().createObjectNode();
        switch (wire) {
            case OPENAI -> {
                reply.put("id", "chatcmpl-" + n).put("object", "chat.completion").put("created", 1).put("model", "scripted");
                ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant");
                message.putNull("content");
                ArrayNode calls = message.putArray("tool_calls");
                for (int i = 0; i < r.calls().size(); i++) {
                    Call c = r.calls().get(i);
                    ObjectNode call = calls.addObject().put("id", "call_" + c.tool() + "_" + n + "_" + i).put("type", "function");
                    call.putObject("function").put("name", c.tool()).put("arguments", args(c).toString());
                }
                reply.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls").set("message", message);
                reply.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
            }
            case ANTHROPIC -> {
                reply.put("id", "msg_" + n).put("type", "message").put("role", "assistant").put("model", "scripted");
                ArrayNode content = reply.putArray("content");
                for (int i = 0; i < r.calls().size(); i++) {
                    Call c = r.calls().get(i);
                    content.addObject().put("type", "tool_use").put("id", "toolu_" + n + "_" + i)
                            .put("name", c.tool()).set("input", args(c));
                }
                reply.put("stop_reason", "tool_use").putNull("stop_sequence");
                reply.putObject("usage").put("input_tokens", 100).put("output_tokens", 20);
            }
            case GEMINI -> {
                ObjectNode candidate = reply.putArray("candidates").addObject();
                ObjectNode content = candidate.putObject("content").put("role", "model");
                ArrayNode parts = content.putArray("parts");
                for (Call c : r.calls()) {
                    parts.addObject().putObject("functionCall").put("name", c.tool()).set("args", args(c));
                }
                candidate.put("finishReason", "STOP").put("index", 0);
                reply.putObject("usageMetadata").put("promptTokenCount", 100).put("candidatesTokenCount", 20)
                        .put("totalTokenCount", 120);
                reply.put("modelVersion", "scripted");
            }
            case OLLAMA -> {
                reply.put("model", "scripted").put("created_at", "2026-01-01T00:00:00Z");
                ObjectNode message = reply.putObject("message").put("role", "assistant").put("content", "");
                ArrayNode calls = message.putArray("tool_calls");
                for (Call c : r.calls()) {
                    calls.addObject().putObject("function").put("name", c.tool()).set("arguments", args(c));
                }
                reply.put("done", true).put("done_reason", "stop").put("prompt_eval_count", 100).put("eval_count", 20);
            }
        }
        return reply;
    }

    private static ObjectNode args(Call c) {
        return Json.mapper().valueToTree(c.arguments());
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
