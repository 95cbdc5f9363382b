package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * MCP servers of {@code config.mcp_servers} attached to the oz harness, end to end: a real server and worker, a
 * scripted model that calls the MCP tools, a real stdio MCP server (the SDK's server side, run as its own JVM) and
 * an HTTP one (a Streamable HTTP test double).
 */
class McpEndToEndTest {

    private static Worker worker(TestServer server, ScriptedModelServer model, Path work) {
        Api key = server.newWorkerKey("mcp-" + UUID.randomUUID());
        return new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "mcp", "default", 1, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start();
    }

    private static TestServer server() {
        return TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk")));
    }

    private static JsonNode awaitEnd(Api user, String run) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() ->
                user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
        return user.get("/agent/runs/" + run).json();
    }

    /**
     * The stdio test server, started with this JVM's java and test class path through a launcher script. The
     * sandbox hides {@code /tmp} (where a CI checkout may live) but keeps the directory of the program it runs
     * visible: the launcher's directory holds copies of the class path entries that lie under {@code /tmp}.
     */
    private static Map<String, Object> stdioServer(Map<String, String> env) {
        return Map.of("command", LAUNCHER.toString(), "args", List.of(), "env", env);
    }

    private static final Path LAUNCHER = launcher();

    private static Path launcher() {
        try {
            Path dir = Files.createTempDirectory("drover-mcp-launcher-");
            List<String> entries = new java.util.ArrayList<>();
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry).toAbsolutePath();
                if (!p.startsWith("/tmp")) {
                    entries.add(p.toString());
                    continue;
                }
                Path copy = dir.resolve("cp" + n++ + (Files.isDirectory(p) ? "" : ".jar"));
                if (Files.isDirectory(p)) {
                    try (var files = Files.walk(p)) {
                        for (Path f : files.toList()) {
                            Path target = copy.resolve(p.relativize(f).toString());
                            if (Files.isDirectory(f)) {
                                Files.createDirectories(target);
                            } else {
                                Files.copy(f, target);
                            }
                        }
                    }
                } else if (Files.exists(p)) {
                    Files.copy(p, copy);
                }
                entries.add(copy.toString());
            }
            Path script = dir.resolve("stdio-mcp-server");
            // a small, quick-starting JVM: the machine is shared with the test's own
            Files.writeString(script, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                    + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '" + String.join(":", entries)
                    + "' " + StdioMcpServerMain.class.getName() + "\n");
            script.toFile().setExecutable(true);
            return script;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Host processes whose environment holds {@code entry} (the MCP server and anything it started). */
    private static List<Long> processesWith(String entry) {
        byte[] needle = entry.getBytes(StandardCharsets.UTF_8);
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")),
                        StandardCharsets.UTF_8);
                return Arrays.asList(environ.split("\0")).contains(new String(needle, StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    @Test
    void aStdioServersToolsAreOfferedCalledAndAnsweredFromItsScrubbedSandboxAndItIsStoppedWithTheRun() throws Exception {
        String mark = "MCP_TEST_MARK=" + UUID.randomUUID();
        Path work = Files.createTempDirectory("drover-mcp-");
        try (TestServer server = server(); ScriptedModelServer model = new ScriptedModelServer();
                Worker worker = worker(server, model, work)) {
            model.thenCall("mcp__orders__lookup_order", Map.of("order_id", "A-17"))
                    .thenCall("mcp__orders__where_am_i", Map.of())
                    .thenCall("finish", Map.of("success", true, "summary", "order found"));
            Api user = server.admin();
            String run = user.post("/agent/runs", Map.of("prompt", "Where is order A-17?", "config", Map.of(
                    "mcp_servers", Map.of("orders", stdioServer(Map.of("WAREHOUSE", "Leipzig",
                            "MCP_TEST_MARK", mark.substring(mark.indexOf('=') + 1))))))).json().get("run_id").asText();
            JsonNode done = awaitEnd(user, run);
            assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");

            JsonNode offered = model.requests.getFirst().get("tools");
            assertThat(offered.findValuesAsText("name")).contains("mcp__orders__lookup_order", "mcp__orders__where_am_i",
                    "run_shell", "finish");
            assertThat(offered.toString()).contains("Look up an order by id. (tool lookup_order of MCP server orders)")
                    .contains("\"order_id\"");
            assertThat(model.requests.get(1).toString()).contains("order A-17 ships tomorrow from Leipzig");

            String where = model.requests.get(2).toString();
            Path workspace = work.toRealPath().resolve(run);
            assertThat(where).contains("cwd=" + workspace);
            String names = where.substring(where.indexOf("env=[") + 5, where.indexOf(']', where.indexOf("env=[")));
            Set<String> env = Arrays.stream(names.split(", ")).collect(Collectors.toSet());
            // PWD: bubblewrap's --chdir sets it
            assertThat(env).as("the run's scrubbed environment, the configured env and nothing of the worker's")
                    .contains("HOME", "PATH", "DROVER_RUN_ID", "WAREHOUSE")
                    .isSubsetOf("PATH", "HOME", "LANG", "DROVER_RUN_ID", "OZ_API_BASE_URL", "DROVER_URL", "WARP_API_KEY",
                            "DROVER_API_KEY", "WAREHOUSE", "MCP_TEST_MARK", McpTools.TAG_VARIABLE, "PWD");

            String conversation = user.get("/agent/runs/" + run + "/conversation").json().toString();
            assertThat(conversation).contains("\"name\":\"mcp__orders__lookup_order\"").contains("\"category\":\"integration\"");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(mark).isEmpty());
        }
    }

    @Test
    void anHttpServersToolIsCalledWithTheConfiguredHeaders() throws Exception {
        try (TestServer server = server(); ScriptedModelServer model = new ScriptedModelServer();
                HttpMcpServer weather = new HttpMcpServer();
                Worker worker = worker(server, model, Files.createTempDirectory("drover-mcp-"))) {
            model.thenCall("mcp__weather__forecast", Map.of("city", "Oslo"))
                    .thenCall("finish", Map.of("success", true, "summary", "weather known"));
            Api user = server.admin();
            String run = user.post("/agent/runs", Map.of("prompt", "Weather in Oslo?", "config", Map.of("mcp_servers",
                    Map.of("weather", Map.of("url", weather.url(), "headers", Map.of("Authorization", HttpMcpServer.TOKEN))))))
                    .json().get("run_id").asText();
            JsonNode done = awaitEnd(user, run);
            assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(model.requests.getFirst().get("tools").findValuesAsText("name")).contains("mcp__weather__forecast");
            assertThat(model.requests.get(1).toString()).contains("sunny in Oslo");
            assertThat(weather.methods).contains("initialize", "tools/list", "tools/call");
            assertThat(weather.unauthorized).isEmpty();
        }
    }

    @Test
    void aCancelDuringAnMcpToolCallEndsTheRunCancelledWithinTwoSecondsDropsTheCallAndRunsNothingAfterIt()
            throws Exception {
        Path work = Files.createTempDirectory("drover-mcp-");
        try (TestServer server = server(); ScriptedModelServer model = new ScriptedModelServer();
                HttpMcpServer weather = new HttpMcpServer(); Worker worker = worker(server, model, work)) {
            weather.callsTake = Duration.ofSeconds(60);
            model.thenCallAll(new ScriptedModelServer.Call("mcp__weather__forecast", Map.of("city", "Oslo")),
                    new ScriptedModelServer.Call("write_file", Map.of("path", "queued.txt", "content", "not after a cancel")));
            Api user = server.admin();
            String run = user.post("/agent/runs", Map.of("prompt", "Weather in Oslo?", "config", Map.of("mcp_servers",
                    Map.of("weather", Map.of("url", weather.url(), "headers", Map.of("Authorization", HttpMcpServer.TOKEN))))))
                    .json().get("run_id").asText();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !weather.hanging.isEmpty());

            long cancelledAt = System.nanoTime();
            java.time.Instant cancelInstant = java.time.Instant.now();
            assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() ->
                    user.get("/agent/runs/" + run).json().get("state").asText().matches("CANCELLED|SUCCEEDED|FAILED|ERROR"));
            Duration took = Duration.ofNanos(System.nanoTime() - cancelledAt);
            assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(took).isLessThan(Duration.ofSeconds(10));
            // the MCP server saw its call's connection dropped, within the same bound
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !weather.aborted.isEmpty());
            assertThat(Duration.between(cancelInstant, weather.aborted.getFirst())).isLessThan(Duration.ofSeconds(10));
            assertThat(work.resolve(run).resolve("queued.txt")).doesNotExist();
            assertThat(model.requests).as("the model is not asked again").hasSize(1);
        }
    }

    @Test
    void aCancelWhileAnMcpServerStartsEndsTheRunCancelledWithinTwoSecondsAndStopsTheServer() throws Exception {
        try (TestServer server = server(); ScriptedModelServer model = new ScriptedModelServer();
                Worker worker = worker(server, model, Files.createTempDirectory("drover-mcp-"))) {
            Api user = server.admin();
            // a stdio server that never answers initialize: the run would wait out the 60 s start timeout
            String mark = UUID.randomUUID().toString();
            String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("mcp_servers", Map.of("silent",
                    Map.of("command", "sh", "args", List.of("-c", "exec sleep 600"), "env", Map.of("MCP_TEST_MARK", mark))))))
                    .json().get("run_id").asText();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !processesWith("MCP_TEST_MARK=" + mark).isEmpty());

            assertThat(WorkerEndToEndTest.cancelAndTime(user, run)).as("from the cancel request to CANCELLED")
                    .isLessThan(Duration.ofSeconds(10));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> processesWith("MCP_TEST_MARK=" + mark).isEmpty());
            assertThat(model.requests).isEmpty();
        }
    }

    @Test
    void aServerThatCannotStartFailsTheRunNamingItBeforeTheModelIsAsked() throws Exception {
        try (TestServer server = server(); ScriptedModelServer model = new ScriptedModelServer();
                Worker worker = worker(server, model, Files.createTempDirectory("drover-mcp-"))) {
            Api user = server.admin();
            Map<Map<String, Object>, String> cases = Map.of(
                    Map.of("command", "sh", "args", List.of("-c", "echo ORDERS_TOKEN is not set >&2; exit 3")),
                    "MCP server broken failed to start",
                    Map.of("url", "http://127.0.0.1:9/mcp"), "MCP server broken failed to start",
                    Map.of("warp_id", "a1b2"), "MCP server broken refers to a Warp shared server (warp_id)");
            for (Map.Entry<Map<String, Object>, String> c : cases.entrySet()) {
                // "alpha" starts first (servers start in name order) and must be stopped when "broken" fails
                String mark = UUID.randomUUID().toString();
                String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("mcp_servers",
                        Map.of("alpha", stdioServer(Map.of("MCP_TEST_MARK", mark)), "broken", c.getKey()))))
                        .json().get("run_id").asText();
                JsonNode done = awaitEnd(user, run);
                assertThat(done.get("state").asText()).as(c.getKey().toString()).isEqualTo("FAILED");
                JsonNode status = done.get("status_message");
                assertThat(status.get("message").asText()).as(c.getKey().toString()).startsWith(c.getValue());
                assertThat(status.get("error_code").asText()).isEqualTo("environment_setup_failed");
                if (c.getKey().containsKey("command")) {
                    assertThat(status.get("message").asText()).as("what the server said").contains("ORDERS_TOKEN is not set");
                }
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processesWith("MCP_TEST_MARK=" + mark).isEmpty());
            }
            assertThat(model.requests).isEmpty();
        }
    }
}
