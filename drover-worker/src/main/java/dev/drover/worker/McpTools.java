package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.McpServerConfig;
import dev.langchain4j.agent.tool.ToolSpecification;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.client.transport.customizer.McpSyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP servers of a run ({@code config.mcp_servers}), connected with the MCP Java SDK for as long as the run
 * lasts. Their tools are offered to the model as {@code mcp__<server>__<tool>} (so they never clash with the
 * built-in tools or with each other) and calls are forwarded to the server that offers them.
 *
 * <p>A stdio server is an agent process like any other: it runs in the workspace with the run's scrubbed
 * environment plus the {@code env} its configuration gives, inside the sandbox, in a process group of its own
 * that is stopped as a whole when the run ends. An HTTP server ({@code url}) is reached with the configured
 * {@code headers}; a URL whose path ends in {@code /sse} uses the older SSE transport, any other Streamable HTTP.
 */
final class McpTools implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpTools.class);
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(10);
    static final int MAX_NAME = 64;
    static final String PREFIX = "mcp__";
    /** Marks a stdio server's process so that its process group can be found and stopped with the run. */
    static final String TAG_VARIABLE = "DROVER_MCP_SERVER";
    /** MCP's own field names (camelCase), not the Oz API's snake_case mapper. */
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final McpJsonMapper JSON = new JacksonMcpJsonMapper(PLAIN);

    /** A server that could not be started, connected or asked for its tools. */
    static final class StartFailure extends Exception {
        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Tool(String server, String name, McpSyncClient client) {}

    private record Connection(String name, McpSyncClient client, ProcessGroup group, ServerStderr stderr) {}

    private final List<Connection> connections = new ArrayList<>();
    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final List<ToolSpecification> specifications = new ArrayList<>();

    private McpTools() {}

    static McpTools none() {
        return new McpTools();
    }

    /**
     * Connects every server (in name order) and lists its tools; when one fails, those already started are
     * closed and the failure names the server.
     */
    static McpTools start(Map<String, McpServerConfig> servers, Path workspace, Map<String, String> environment,
            Place place, HttpConnections network) throws StartFailure, InterruptedException {
        McpTools mcp = new McpTools();
        if (servers == null) {
            return mcp;
        }
        try {
            for (Map.Entry<String, McpServerConfig> e : new TreeMap<>(servers).entrySet()) {
                mcp.connect(e.getKey(), e.getValue(), workspace, environment, place, network);
            }
            return mcp;
        } catch (StartFailure | RuntimeException e) {
            mcp.close();
            throw e;
        } catch (InterruptedException e) {
            // the run was stopped while its servers started: drop them without waiting, the run ends now
            mcp.abort();
            throw e;
        }
    }

    private void connect(String name, McpServerConfig config, Path workspace, Map<String, String> environment,
            Place place, HttpConnections network) throws StartFailure, InterruptedException {
        if (config.warpId() != null && !config.warpId().isBlank()) {
            throw new StartFailure("MCP server " + name + " refers to a Warp shared server (warp_id), which Drover "
                    + "does not host; give its command or url instead", null);
        }
        String tag = UUID.randomUUID().toString();
        McpClientTransport transport;
        try {
            transport = config.command() != null && !config.command().isBlank()
                    ? stdio(config, workspace, environment, place, tag) : http(config, network);
        } catch (RuntimeException e) {
            throw new StartFailure("MCP server " + name + " could not be configured: " + e.getMessage(), e);
        }
        ServerStderr stderr = transport instanceof WorkspaceStdio stdio ? stdio.stderr : null;
        McpSyncClient client = McpClient.sync(transport).requestTimeout(CALL_TIMEOUT).initializationTimeout(START_TIMEOUT)
                .clientInfo(new McpSchema.Implementation("drover", "1")).build();
        try {
            initialize(client, transport);
        } catch (RuntimeException e) {
            StartFailure failure = failure(name, e, stderr); // before the close, which deletes its stderr
            closeQuietly(new Connection(name, client, stderr == null ? null : findGroup(tag), stderr));
            throw failure;
        } catch (InterruptedException e) {
            connections.add(new Connection(name, client, stderr == null ? null : findGroup(tag), stderr));
            throw e; // stopped with the others by start()
        }
        connections.add(new Connection(name, client, stderr == null ? null : findGroup(tag), stderr));
        if (stderr != null) {
            stderr.unlink(); // the server answered: it has the file open
        }
        try {
            String cursor = null;
            do {
                McpSchema.ListToolsResult page = cursor == null ? client.listTools() : client.listTools(cursor);
                for (McpSchema.Tool t : page.tools()) {
                    add(name, t, client);
                }
                cursor = page.nextCursor();
            } while (cursor != null && !cursor.isEmpty());
        } catch (RuntimeException e) {
            throw failure(name, e, stderr); // closed with the others by start()
        }
    }

    /** Names the server, the SDK's reason and, for a stdio server, the last lines it wrote to its standard error. */
    private static StartFailure failure(String name, RuntimeException e, ServerStderr stderr) {
        String said = stderr == null ? "" : stderr.lastWords();
        return new StartFailure("MCP server " + name + " failed to start: " + rootMessage(e)
                + (said.isEmpty() ? "" : "; it said: " + said), e);
    }

    private static McpClientTransport stdio(McpServerConfig config, Path workspace, Map<String, String> environment,
            Place place, String tag) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        if (config.env() != null) {
            env.putAll(config.env());
        }
        env.put(TAG_VARIABLE, tag);
        List<String> command = new ArrayList<>(List.of("env"));
        // the SDK always adds a few of the worker's own variables (HOME, PATH, USER, ...): drop those we do not give
        for (String inherited : ServerParameters.builder("true").build().getEnv().keySet()) {
            if (!env.containsKey(inherited)) {
                command.addAll(List.of("-u", inherited));
            }
        }
        List<String> server = new ArrayList<>();
        server.add(config.command());
        if (config.args() != null) {
            server.addAll(config.args());
        }
        List<String> inPlace = place.hostCommand(server);
        if (inPlace == null) {
            // never outside the run's isolation: refused instead
            throw new IllegalStateException("stdio MCP servers cannot run in the " + place.backend()
                    + " isolation of this worker yet; use an MCP server's url instead");
        }
        command.addAll(inPlace);
        ServerStderr stderr = new ServerStderr();
        List<String> wrapped = stderr.wrap(command);
        WorkspaceStdio transport = new WorkspaceStdio(ServerParameters.builder(wrapped.getFirst())
                .args(wrapped.subList(1, wrapped.size())).env(env).build(), workspace, stderr);
        // the server's own lines go to the file; whatever reaches the SDK's pipe (descriptor 3) is not logged
        transport.setStdErrorHandler(line -> {});
        return transport;
    }

    /**
     * The SDK's stdio transport, started in the workspace with nothing of the worker's environment, its standard
     * error in a file of the worker's ({@link ServerStderr}), and telling when its process exits.
     */
    private static final class WorkspaceStdio extends StdioClientTransport {
        private final Path workspace;
        final CompletableFuture<Void> exited = new CompletableFuture<>();
        final ServerStderr stderr;

        WorkspaceStdio(ServerParameters params, Path workspace, ServerStderr stderr) {
            super(params, JSON);
            this.workspace = workspace;
            this.stderr = stderr;
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder pb = new ProcessBuilder().directory(workspace.toFile());
            pb.environment().clear();
            Thread.ofVirtual().name("mcp-exit-watch").start(this::watchExit);
            return pb;
        }

        /** The SDK starts the process right after asking for the builder; until then there is nothing to wait for. */
        private void watchExit() {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    awaitForExit();
                    exited.complete(null);
                    return;
                } catch (NullPointerException notStartedYet) {
                    try {
                        Thread.sleep(10); // the process is being started on the SDK's thread
                    } catch (InterruptedException e) {
                        return;
                    }
                } catch (RuntimeException interrupted) {
                    return;
                }
            }
        }
    }

    /** Over a client of the run's {@code connections}, so that a cancel closes a call's connection. */
    private static McpClientTransport http(McpServerConfig config, HttpConnections network) {
        URI uri = URI.create(config.url());
        String base = uri.getScheme() + "://" + uri.getRawAuthority();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Map<String, String> headers = config.headers() == null ? Map.of() : Map.copyOf(config.headers());
        McpSyncHttpClientRequestCustomizer withHeaders = (request, method, endpoint, body, context) ->
                headers.forEach(request::header);
        if (uri.getRawPath() != null && uri.getRawPath().endsWith("/sse")) {
            return HttpClientSseClientTransport.builder(base).sseEndpoint(path).jsonMapper(JSON)
                    .clientBuilder(network.builder()).httpRequestCustomizer(withHeaders).build();
        }
        return HttpClientStreamableHttpTransport.builder(base).endpoint(path).jsonMapper(JSON)
                .clientBuilder(network.builder()).httpRequestCustomizer(withHeaders).build();
    }

    /**
     * Initializes the session. The SDK would wait out the whole start timeout for a stdio server that died at once
     * (a missing command, a crash on a bad configuration), so the server's exit ends the wait too.
     */
    private static void initialize(McpSyncClient client, McpClientTransport transport) throws InterruptedException {
        if (!(transport instanceof WorkspaceStdio stdio)) {
            client.initialize();
            return;
        }
        CompletableFuture<McpSchema.InitializeResult> init = CompletableFuture.supplyAsync(client::initialize,
                r -> Thread.ofVirtual().name("mcp-initialize").start(r));
        try {
            CompletableFuture.anyOf(init, stdio.exited).get();
            if (!init.isDone()) {
                throw new IllegalStateException("the server exited before it answered");
            }
            init.join();
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * The process group of a stdio server that is running: {@code setsid} made its process the leader of a group
     * of its own, found among this JVM's children by the tag in its environment (read from {@code /proc}; stdio
     * servers run on Linux workers).
     */
    private static ProcessGroup findGroup(String tag) {
        byte[] marker = (TAG_VARIABLE + "=" + tag).getBytes(StandardCharsets.UTF_8);
        return ProcessHandle.current().children().filter(p -> {
            try {
                byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                return indexOf(environ, marker) >= 0;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).findFirst().map(p -> new ProcessGroup(p.pid())).orElse(null);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void add(String server, McpSchema.Tool tool, McpSyncClient client) {
        String exposed = exposedName(server, tool.name());
        for (int n = 2; tools.containsKey(exposed); n++) {
            String suffix = "_" + n;
            exposed = exposedName(server, tool.name()).substring(0, Math.min(exposedName(server, tool.name()).length(),
                    MAX_NAME - suffix.length())) + suffix;
        }
        tools.put(exposed, new Tool(server, tool.name(), client));
        JsonNode schema = tool.inputSchema() == null ? null : PLAIN.valueToTree(tool.inputSchema());
        String description = (tool.description() == null ? tool.name() : tool.description())
                + " (tool " + tool.name() + " of MCP server " + server + ")";
        specifications.add(ToolSpecification.builder().name(exposed).description(description)
                .parameters(JsonSchemas.objectSchema(schema)).build());
    }

    /**
     * {@code mcp__<server>__<tool>} in the characters every provider accepts in a tool name, at most 64 of them.
     */
    static String exposedName(String server, String tool) {
        String name = PREFIX + sanitize(server) + "__" + sanitize(tool);
        return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME);
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    List<ToolSpecification> specifications() {
        return List.copyOf(specifications);
    }

    boolean offers(String exposedName) {
        return tools.containsKey(exposedName);
    }

    /** The MCP server and tool behind an exposed name, for the transcript. */
    String describe(String exposedName) {
        Tool t = tools.get(exposedName);
        return t == null ? exposedName : t.server() + "/" + t.name();
    }

    /** Calls the tool; its text (and other content, as JSON) is the result, an error result a failed call. */
    OzHarness.ToolResult call(String exposedName, JsonNode arguments) {
        Tool t = tools.get(exposedName);
        @SuppressWarnings("unchecked")
        Map<String, Object> args = arguments == null || !arguments.isObject() ? Map.of()
                : PLAIN.convertValue(arguments, Map.class);
        try {
            McpSchema.CallToolResult result = t.client().callTool(new McpSchema.CallToolRequest(t.name(), args));
            StringBuilder out = new StringBuilder();
            if (result.content() != null) {
                for (McpSchema.Content c : result.content()) {
                    out.append(c instanceof McpSchema.TextContent text ? text.text() : summary(c)).append('\n');
                }
            }
            if (out.isEmpty() && result.structuredContent() != null) {
                out.append(PLAIN.valueToTree(result.structuredContent()));
            }
            return new OzHarness.ToolResult(!Boolean.TRUE.equals(result.isError()), out.toString().strip());
        } catch (RuntimeException e) {
            return new OzHarness.ToolResult(false, "MCP server " + t.server() + " failed the call: " + rootMessage(e));
        }
    }

    private static String summary(McpSchema.Content c) {
        if (c instanceof McpSchema.ImageContent image) {
            return "[image " + image.mimeType() + ", " + image.data().length() * 3 / 4 + " bytes]";
        }
        if (c instanceof McpSchema.AudioContent audio) {
            return "[audio " + audio.mimeType() + ", " + audio.data().length() * 3 / 4 + " bytes]";
        }
        return PLAIN.valueToTree(c).toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? m : e.getMessage() + " (" + m + ")";
    }

    /**
     * The run was stopped while a call may be in flight: every session is dropped at once, without the polite
     * close (which would wait on the very server that hangs), and stdio servers' process groups are stopped off
     * this thread (SIGTERM, grace, SIGKILL), so the run ends now. HTTP calls are cut by the run's
     * {@link HttpConnections}.
     */
    void abort() {
        List<Connection> all;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            all = List.copyOf(connections);
            connections.clear();
        }
        for (Connection c : all.reversed()) {
            try {
                c.client().close();
            } catch (RuntimeException e) {
                LOG.debug("MCP server {} did not close: {}", c.name(), e.getMessage());
            }
            if (c.group() != null) {
                Thread.ofVirtual().name("mcp-stop-" + c.name()).start(() -> {
                    try {
                        c.group().stop(AgentProcess.GRACE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            if (c.stderr() != null) {
                c.stderr().close(); // unlinked: a server still stopping writes into it until it exits
            }
        }
    }

    private boolean aborted;

    /** Closes every server; stdio servers' whole process groups are stopped. */
    @Override
    public void close() throws InterruptedException {
        List<Connection> all;
        synchronized (this) {
            all = List.copyOf(connections);
            connections.clear();
        }
        for (Connection c : all.reversed()) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) throws InterruptedException {
        try {
            c.client().closeGracefully();
        } catch (RuntimeException e) {
            LOG.debug("MCP server {} did not close cleanly: {}", c.name(), e.getMessage());
        }
        if (c.group() != null) {
            c.group().stop(AgentProcess.GRACE);
        }
        if (c.stderr() != null) {
            c.stderr().close();
        }
    }
}
