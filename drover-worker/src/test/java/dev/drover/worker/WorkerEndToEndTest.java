package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
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

/** A real server and a real worker (over HTTP) executing runs with the command harness and real processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WorkerEndToEndTest {
    TestServer server;
    Worker worker;
    Api user;
    Path work;

    abstract Backend backend();

    @BeforeAll
    void start() throws IOException {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        user = server.admin();
        Api key = server.newWorkerKey("e2e-" + UUID.randomUUID());
        work = Files.createTempDirectory("drover-work-");
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "e2e", "default", 2, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()))).start();
    }

    @AfterAll
    void stop() {
        worker.close();
        server.close();
    }

    private String run(String command, String prompt) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", prompt,
                "config", Map.of("harness", Map.of("type", "command", "command", command))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private JsonNode awaitState(String run, String state) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode now = user.get("/agent/runs/" + run).json();
            assertThat(now.get("state").asText()).as(now.toString()).isEqualTo(state);
        });
        return user.get("/agent/runs/" + run).json();
    }

    @Test
    void aCommandThatSucceedsEndsTheRunSucceededWithThePromptOnItsInput() {
        String run = run("read line; echo \"got: $line\"", "hello agent");
        JsonNode done = awaitState(run, "SUCCEEDED");
        assertThat(done.get("status_message").get("message").asText()).contains("got: hello agent");
        assertThat(done.get("started_at")).isNotNull();
    }

    @Test
    void theAgentSeesOnlyItsScrubbedEnvironmentInItsOwnWorkspace() {
        String run = run("env | sort | tr '\\n' ' '; pwd", "p");
        String message = awaitState(run, "SUCCEEDED").get("status_message").get("message").asText();
        assertThat(message).contains(work.resolve(run).toString());
        JsonNode env = user.get("/agent/runs/" + run).json();
        assertThat(env.toString()).doesNotContain("DROVER_ADMIN_API_KEY").doesNotContain("JAVA_HOME");
    }

    @Test
    void aCommandThatFailsEndsTheRunFailed() {
        String run = run("echo broken >&2; exit 3", "p");
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).contains("status 3").contains("broken");
    }

    @Test
    void aHarnessThisWorkerLacksFailsTheRunWithAClearMessage() {
        String run = user.createRun("needs the built-in agent");
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).contains("oz harness is not available");
        assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("feature_not_available");
    }

    @Test
    void cancellingARunningAgentStopsItsWholeProcessTree() throws Exception {
        String marker = "drover-e2e-" + UUID.randomUUID();
        String run = run("bash -c '(exec -a " + marker + " sleep 600) & exec -a " + marker + " sleep 601'", "p");
        awaitState(run, "INPROGRESS");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) >= 2); // both sleeps (and the shell that started them)
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        awaitState(run, "CANCELLED");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> processesNamed(marker) == 0);
    }

    @Test
    void aSandboxedAgentCannotReadTheServersKeyFileNorWriteOutsideItsWorkspace() {
        boolean required = "1".equals(System.getenv("DROVER_REQUIRE_SANDBOX"));
        boolean present = Sandbox.detect(List.of()).isolated();
        if (!present) {
            assertThat(required).as("DROVER_REQUIRE_SANDBOX=1 but bwrap is not installed").isFalse();
            org.junit.jupiter.api.Assumptions.abort("bwrap is not installed; the sandbox cannot be tested here");
        }
        Path keyFile = server.server().config().dataDir().resolve("admin-api-key");
        assertThat(keyFile).exists();
        String read = run("cat " + keyFile, "p");
        JsonNode refused = awaitState(read, "FAILED");
        assertThat(refused.get("status_message").get("message").asText()).contains("No such file")
                .doesNotContain(TestServer.ADMIN_KEY).contains("isolation: bubblewrap");

        Path outside = Path.of("/var/tmp", "drover-escaped-" + UUID.randomUUID()); // writable for the worker itself
        String write = run("touch " + outside + " && touch inside.txt", "p");
        awaitState(write, "FAILED");
        assertThat(outside).doesNotExist();

        String ok = run("touch inside.txt && echo wrote", "p");
        assertThat(awaitState(ok, "SUCCEEDED").get("status_message").get("message").asText()).contains("wrote");
    }

    static int processesNamed(String marker) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-c", "-f", marker).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out.isEmpty() ? 0 : Integer.parseInt(out);
    }
}
