package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double for a remote MCP server: the Streamable HTTP transport answered with plain JSON (which the
 * transport allows), offering one tool, {@code forecast(city)}, to callers that send the expected
 * {@code Authorization} header. It records the JSON-RPC methods it was asked for.
 */
final class HttpMcpServer implements AutoCloseable {
    static final String TOKEN = "Bearer mcp-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    final List<String> methods = new CopyOnWriteArrayList<>();
    final List<String> unauthorized = new CopyOnWriteArrayList<>();
    /** When set, a {@code tools/call} takes this long: its body trickles (whitespace) so a dropped call is noticed. */
    volatile java.time.Duration callsTake;
    /** Calls that started hanging, and when the client dropped one. */
    final List<String> hanging = new CopyOnWriteArrayList<>();
    final List<java.time.Instant> aborted = new CopyOnWriteArrayList<>();

    HttpMcpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/mcp", this::handle);
        // a request per thread: a hanging call must not hold up the others
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.add(exchange.getRequestMethod());
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1); // no server-initiated stream, no session to delete
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String method = request.path("method").asText();
            methods.add(method);
            if (!request.has("id")) {
                exchange.sendResponseHeaders(202, -1); // a notification
                return;
            }
            ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0").set("id", request.get("id"));
            ObjectNode result = response.putObject("result");
            switch (method) {
                case "initialize" -> {
                    result.put("protocolVersion", request.path("params").path("protocolVersion").asText());
                    result.putObject("capabilities").putObject("tools");
                    result.putObject("serverInfo").put("name", "weather").put("version", "1.0");
                }
                case "tools/list" -> {
                    ObjectNode tool = result.putArray("tools").addObject().put("name", "forecast")
                            .put("description", "Tomorrow's weather for a city.");
                    ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
                    schema.putObject("properties").putObject("city").put("type", "string");
                    schema.putArray("required").add("city");
                }
                case "tools/call" -> {
                    String city = request.path("params").path("arguments").path("city").asText();
                    result.putArray("content").addObject().put("type", "text").put("text", "sunny in " + city);
                    result.put("isError", false);
                }
                default -> {
                    response.remove("result");
                    response.putObject("error").put("code", -32601).put("message", "no method " + method);
                }
            }
            byte[] body = JSON.writeValueAsBytes(response);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            java.time.Duration hang = callsTake;
            if (method.equals("tools/call") && hang != null) {
                hang(exchange, hang, body);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** Headers at once, a space every 100 ms for {@code hang}, then the answer — unless the client leaves. */
    private void hang(HttpExchange exchange, java.time.Duration hang, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        hanging.add("tools/call");
        long end = System.nanoTime() + hang.toNanos();
        try {
            while (System.nanoTime() < end) {
                exchange.getResponseBody().write(' ');
                exchange.getResponseBody().flush();
                Thread.sleep(100); // the trickle's pace, which bounds how late a dropped call is noticed
            }
            exchange.getResponseBody().write(body);
        } catch (IOException dropped) {
            aborted.add(java.time.Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
