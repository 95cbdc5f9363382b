package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs in the container backend, end to end with a real engine: the environment's image is where the run
 * executes (a marker baked into the test image), its clone and setup are there, and no container outlives its run,
 * a cancelled one or a dead worker's. Required where DROVER_REQUIRE_CONTAINER=1 (CI).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerRunTest {
    TestServer server;
    Worker worker;
    Api user;
    Path work;
    DockerClient docker;
    BareRepos repos;

    @BeforeAll
    void start() throws Exception {
        docker = TestImage.client();
        if (docker == null) {
            assertThat("1".equals(System.getenv("DROVER_REQUIRE_CONTAINER")))
                    .as("DROVER_REQUIRE_CONTAINER=1 but no container engine answers (DOCKER_HOST)").isFalse();
            org.junit.jupiter.api.Assumptions.abort("no container engine here");
        }
        TestImage.build(docker);
        repos = new BareRepos(Files.createTempDirectory("drover-git-"));
        repos.create("acme", "web", Map.of("README.md", "hello from web\n"));
        server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0)
                .withGitBaseUrl(repos.root().toString()).withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
        user = server.admin();
        work = Files.createTempDirectory("drover-work-");
        worker = startWorker();
    }

    private Worker startWorker() {
        Api key = server.newWorkerKey("container-" + UUID.randomUUID());
        // a default image that does not exist: a run that works got the environment's image
        return new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "container-e2e", "default", 2, work,
                Duration.ofMinutes(2), WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(server.server().config().dataDir()),
                Map.of(), Duration.ofSeconds(5))
                .withIsolation(IsolationSettings.of("container").withDefaultImage("localhost/drover-no-such-image:0"))).start();
    }

    @AfterAll
    void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
        if (docker != null) {
            docker.close();
        }
    }

    private List<String> containersOf(String run) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(ContainerIsolation.LABEL_RUN, run))
                .exec().stream().map(c -> c.getId()).toList();
    }

    private String transcript(String run) {
        StringBuilder all = new StringBuilder();
        for (JsonNode m : user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages")) {
            for (JsonNode b : m.get("content")) {
                all.append(b.toString()).append('\n');
            }
        }
        return all.toString();
    }

    private JsonNode awaitState(String run, String state) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonNode now = user.get("/agent/runs/" + run).json();
            assertThat(now.get("state").asText()).as(now.toString()).isEqualTo(state);
        });
        return user.get("/agent/runs/" + run).json();
    }

    private String run(Map<String, Object> config) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "work", "config", config));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    @Test
    void aRunWhoseEnvironmentNamesAnImageIsClonedSetUpAndRunInsideItAndItsContainerIsRemoved() {
        String env = user.createEnvironment(Map.of("name", "img-" + UUID.randomUUID(), "docker_image", TestImage.TAG,
                "github_repos", List.of(Map.of("owner", "acme", "repo", "web")),
                "setup_commands", List.of("cat " + TestImage.MARKER_PATH + " > setup-saw.txt && cat web/README.md >> setup-saw.txt")));
        String run = run(Map.of("environment_id", env, "harness", Map.of("type", "command",
                "command", "echo agent-saw-$(cat " + TestImage.MARKER_PATH + "); cat setup-saw.txt; "
                        + "echo change >> web/README.md && echo clone-writable; grep ^ID= /etc/os-release")));
        JsonNode done = awaitState(run, "SUCCEEDED");
        String said = transcript(run);
        assertThat(said).contains("agent-saw-" + TestImage.MARKER).contains(TestImage.MARKER + "\\nhello from web")
                .contains("clone-writable").contains("ID=drover-test").contains("\"docker_image_used\":true");
        assertThat(done.get("status_message").get("message").asText()).contains("isolation: container (image " + TestImage.TAG);
        assertThat(containersOf(run)).isEmpty();
    }

    @Test
    void theOzAgentsShellRunsInsideTheContainerAndCanChangeWhatItsFileToolsWrote() throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("write_file", Map.of("path", "hello.txt", "content", "from the file tool\n"))
                    .thenCall("run_shell", Map.of("command", "cat " + TestImage.MARKER_PATH + "; echo uid=$(id -u); "
                            + "echo more >> hello.txt && echo appended"))
                    .thenCall("finish", Map.of("success", true, "summary", "done"));
            Api key = server.newWorkerKey("oz-container-" + UUID.randomUUID());
            try (Worker oz = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "oz-container", "oz-container", 1,
                    work, Duration.ofMinutes(2), WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), Duration.ofSeconds(5))
                    .withIsolation(IsolationSettings.of("container").withDefaultImage(TestImage.TAG))).start()) {
                String run = run(Map.of("worker_host", "oz-container", "model_id", "gpt-5-mini"));
                awaitState(run, "SUCCEEDED");
                String shell = model.requests.get(2).get("messages").toString();
                assertThat(shell).contains(TestImage.MARKER).contains("uid=" + IsolationSettings.DEFAULT_AGENT_ID)
                        .contains("appended");
                assertThat(containersOf(run)).isEmpty();
            }
        }
    }

    /** A stdio MCP server in busybox sh: enough JSON-RPC for initialize, tools/list and tools/call. */
    static final String SH_MCP_SERVER = """
            while IFS= read -r line; do
              id=$(echo "$line" | sed -n 's/.*"id":\\("[^"]*"\\).*/\\1/p')
              [ -n "$id" ] || id=$(echo "$line" | sed -n 's/.*"id":\\([0-9]*\\).*/\\1/p')
              case "$line" in
                *'"method":"initialize"'*)
                  v=$(echo "$line" | sed -n 's/.*"protocolVersion":"\\([^"]*\\)".*/\\1/p')
                  echo '{"jsonrpc":"2.0","id":'"$id"',"result":{"protocolVersion":"'"$v"'","capabilities":{"tools":{}},"serverInfo":{"name":"sh","version":"1"}}}';;
                *'"method":"tools/list"'*)
                  echo '{"jsonrpc":"2.0","id":'"$id"',"result":{"tools":[{"name":"where","description":"says where it runs","inputSchema":{"type":"object","properties":{}}}]}}';;
                *'"method":"tools/call"'*)
                  echo '{"jsonrpc":"2.0","id":'"$id"',"result":{"content":[{"type":"text","text":"mcp-saw-'"$(cat /etc/drover-test-image)"' uid='"$(id -u)"'"}]}}';;
              esac
            done
            """;

    @Test
    void aStdioMcpServerRunsInsideTheRunsContainer() throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("mcp__shell__where", Map.of()).thenCall("finish", Map.of("success", true, "summary", "done"));
            Api key = server.newWorkerKey("mcp-container-" + UUID.randomUUID());
            try (Worker oz = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "mcp-container", "mcp-container", 1,
                    work, Duration.ofMinutes(2), WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), Duration.ofSeconds(5))
                    .withIsolation(IsolationSettings.of("container").withDefaultImage(TestImage.TAG))).start()) {
                String run = run(Map.of("worker_host", "mcp-container", "model_id", "gpt-5-mini", "mcp_servers",
                        Map.of("shell", Map.of("command", "sh", "args", List.of("-c", SH_MCP_SERVER)))));
                JsonNode done = awaitState(run, "SUCCEEDED");
                assertThat(model.requests.get(1).get("messages").toString()).as(done.toString())
                        .contains("mcp-saw-" + TestImage.MARKER + " uid=" + IsolationSettings.DEFAULT_AGENT_ID);
                assertThat(containersOf(run)).isEmpty();
            }
        }
    }

    @Test
    void aRunWithoutAnEnvironmentUsesTheWorkersDefaultImageAndFailsClearlyWhenItCannotBePulled() {
        String run = run(Map.of("harness", Map.of("type", "command", "command", "true")));
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).contains("localhost/drover-no-such-image:0");
        assertThat(containersOf(run)).isEmpty();
    }

    @Test
    void aCancelledRunsContainerIsKilledAndRemoved() {
        String env = user.createEnvironment(Map.of("name", "img-" + UUID.randomUUID(), "docker_image", TestImage.TAG));
        String run = run(Map.of("environment_id", env, "harness", Map.of("type", "command", "command", "sleep 300")));
        awaitState(run, "INPROGRESS");
        assertThat(containersOf(run)).hasSize(1);
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        awaitState(run, "CANCELLED");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> containersOf(run).isEmpty());
    }

    @Test
    void aClaudeRunInAnImageWithoutTheCliFailsNamingIt() {
        String env = user.createEnvironment(Map.of("name", "img-" + UUID.randomUUID(), "docker_image", TestImage.TAG));
        String run = run(Map.of("environment_id", env, "harness", Map.of("type", "claude")));
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).contains("`claude` CLI in the run's container image");
        assertThat(done.toString()).contains("feature_not_available");
    }

    @Test
    void aWorkerThatStartsRemovesTheContainersADeadWorkerOfItsHostLeft() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String orphanRun = "orphan-" + UUID.randomUUID();
        String id = docker.createContainerCmd(TestImage.TAG).withEntrypoint("sleep", "300")
                .withLabels(Map.of(ContainerIsolation.LABEL_RUN, orphanRun, ContainerIsolation.LABEL_HOST,
                        ContainerIsolation.host(), ContainerIsolation.LABEL_PID, Long.toString(gone.pid())))
                .exec().getId();
        docker.startContainerCmd(id).exec();
        assertThat(containersOf(orphanRun)).hasSize(1);
        try (Worker another = startWorker()) {
            assertThat(another.isolation()).isEqualTo("container");
            assertThat(containersOf(orphanRun)).isEmpty();
        }
    }

    @Test
    void theDoctorsProbeCreatesRunsAndRemovesAContainerOfTheDefaultImageAndFailsNamingAnImageItCannotGet()
            throws Exception {
        List<String> before = docker.listContainersCmd().withShowAll(true).exec().stream().map(c -> c.getId()).toList();
        Isolation.Probe works = Isolations.probe(IsolationSettings.of("container").withDefaultImage(TestImage.TAG),
                List.of(), work).getFirst();
        assertThat(works.backend()).isEqualTo("container");
        assertThat(works.available()).as(works.reason()).isTrue();
        assertThat(works.reason()).contains("created, ran and removed a container of the default image " + TestImage.TAG);
        Isolation.Probe missing = Isolations.probe(IsolationSettings.of("container")
                .withDefaultImage("localhost/drover-no-such-image:0"), List.of(), work).getFirst();
        assertThat(missing.available()).isFalse();
        assertThat(missing.reason()).contains("localhost/drover-no-such-image:0").contains("--default-image");
        assertThat(docker.listContainersCmd().withShowAll(true).exec().stream().map(c -> c.getId()).toList())
                .containsExactlyInAnyOrderElementsOf(before);
    }
}
