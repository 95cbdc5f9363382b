package dev.drover.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * A real MCP server over stdio, built with the MCP Java SDK's server side, that tests start as a run's
 * {@code mcp_servers} entry ({@code java -cp <test classpath> dev.drover.worker.StdioMcpServerMain}). Its tools:
 * {@code lookup_order(order_id)}, and {@code where_am_i()}, which reports its working directory and the names of
 * its environment variables, so tests can see where and with what the worker started it.
 */
public final class StdioMcpServerMain {
    private StdioMcpServerMain() {}

    public static void main(String[] args) throws Exception {
        // standard output is the protocol channel: anything else (logging) goes to standard error
        PrintStream protocol = System.out;
        System.setOut(System.err);
        McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        McpSchema.Tool lookup = McpSchema.Tool.builder().name("lookup_order").description("Look up an order by id.")
                .inputSchema(json, """
                        {"type": "object", "properties": {"order_id": {"type": "string", "description": "the order"}},
                         "required": ["order_id"]}""").build();
        McpSchema.Tool where = McpSchema.Tool.builder().name("where_am_i").description("Where this server runs.")
                .inputSchema(json, "{\"type\": \"object\", \"properties\": {}}").build();
        McpServer.sync(new StdioServerTransportProvider(json, System.in, protocol))
                .serverInfo("orders", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(new McpServerFeatures.SyncToolSpecification(lookup, (exchange, request) ->
                                McpSchema.CallToolResult.builder().addTextContent("order " + request.arguments().get("order_id")
                                        + " ships tomorrow from " + System.getenv("WAREHOUSE")).isError(false).build()),
                        new McpServerFeatures.SyncToolSpecification(where, (exchange, request) ->
                                McpSchema.CallToolResult.builder().addTextContent("cwd=" + Path.of("").toAbsolutePath()
                                        + " env=" + new TreeSet<>(System.getenv().keySet())).isError(false).build()))
                .build();
        Thread.currentThread().join(); // serves until the worker stops it
    }
}
