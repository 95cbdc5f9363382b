package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real server and worker running the claude, codex and gemini harnesses. The CLIs are test doubles (they would
 * need a model): shell scripts from {@code fake-clis/} put on the worker's PATH, which take Drover's command line
 * and the prompt, really edit the workspace and answer in each CLI's documented JSON-lines format.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CliHarnessEndToEndTest {
    static final String WORKER_SECRET = "worker-only-secret-" + UUID.randomUUID();
    TestServer server;
    Worker worker;
    Api user;
    Path work;
    Path bin;

    abstract Backend backend();

    @BeforeAll
    void start() throws IOException {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        user = server.admin();
        work = Files.createTempDirectory("drover-cli-work-");
        // under /tmp, which bubblewrap replaces with an empty one: the sandbox must still show the CLI it runs
        bin = Files.createTempDirectory("drover-fake-clis-");
        for (String cli : List.of("claude", "codex", "gemini")) {
            try (InputStream script = getClass().getResourceAsStream("/fake-clis/" + cli)) {
                Path target = bin.resolve(cli);
                Files.copy(script, target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Map<String, String> workerEnv = Map.of("PATH", bin + ":/usr/bin:/bin", "ANTHROPIC_API_KEY", "sk-ant-e2e",
                "OPENAI_API_KEY", "sk-openai-e2e", "GEMINI_API_KEY", "gemini-e2e", "WORKER_SECRET", WORKER_SECRET);
        Api key = server.newWorkerKey("cli-" + UUID.randomUUID());
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "cli-e2e", "default", 2, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()), workerEnv, Duration.ofMinutes(5)).withIsolation(IsolationSettings.of("none"))).start();
    }

    @AfterAll
    void stop() throws IOException {
        worker.close();
        server.close();
        try (var files = Files.walk(bin)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String run(String harness, String prompt, Map<String, Object> config) {
        Map<String, Object> c = new LinkedHashMap<>(config);
        c.put("harness", Map.of("type", harness));
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", prompt, "config", c));
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

    private JsonNode messages(String run) {
        return Transcripts.withoutIsolationNote(user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages"));
    }

    /** Each message as role:type of its first block:its text or name, as in {@link RecordedStream#outline}. */
    private static List<String> outline(JsonNode messages) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : messages) {
            JsonNode b = m.get("content").get(0);
            String what = switch (b.get("type").asText()) {
                case "text" -> b.get("text").asText();
                case "action_result" -> b.get("name").asText() + " " + b.get("state").asText();
                default -> b.get("name").asText();
            };
            out.add(m.get("role").asText() + ":" + b.get("type").asText() + ":" + what);
        }
        return out;
    }

    private String workspaceFile(String run, String name) throws IOException {
        return Files.readString(work.resolve(run).resolve(name));
    }

    private static boolean bypassesPermissions() {
        return !CliHarness.runsAsRoot(); // these runs use isolation none: root is root
    }

    @Test
    void claudeEditsTheWorkspaceAndItsStreamBecomesTheTranscriptAndUsage() throws IOException {
        String run = run("claude", "Fix the typo in hello.txt", Map.of("base_prompt", "Always answer briefly."));
        JsonNode done = awaitState(run, "SUCCEEDED");
        String mode = bypassesPermissions() ? "bypassPermissions" : "acceptEdits";
        assertThat(done.get("status_message").get("message").asText())
                .startsWith("Fixed: hello.txt says hello (model claude-sonnet-4-5-20250929, permission mode " + mode + ").")
                .contains("isolation");
        assertThat(workspaceFile(run, "hello.txt")).isEqualTo("hello\n");
        assertThat(outline(messages(run))).containsExactly(
                "user:text:Fix the typo in hello.txt",
                "system:event:session_started",
                "assistant:text:I will fix the typo in hello.txt.",
                "assistant:action:Write",
                "tool:action_result:Write completed",
                "assistant:text:Fixed: hello.txt says hello (model claude-sonnet-4-5-20250929, permission mode " + mode + ").");
        JsonNode write = messages(run).get(3).get("content").get(0);
        assertThat(write.get("category").asText()).isEqualTo("files");
        assertThat(write.get("input").get("content").asText()).isEqualTo("hello\n");

        JsonNode usage = done.get("request_usage");
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(1000);
        assertThat(usage.get("output_tokens").asLong()).isEqualTo(200);
        // priced as claude-sonnet-4-5: $3 in and $15 out per million tokens
        assertThat(usage.get("inference_cost_usd").asDouble()).isCloseTo(0.006, org.assertj.core.data.Offset.offset(1e-9));

        assertThat(workspaceFile(run, "received-prompt.txt")).isEqualTo("Always answer briefly.\n\nFix the typo in hello.txt");
        String env = workspaceFile(run, "received-env.txt");
        assertThat(env).contains("ANTHROPIC_API_KEY=sk-ant-e2e").contains("DROVER_RUN_ID=" + run)
                .contains("PATH=" + bin + ":").doesNotContain("OPENAI_API_KEY").doesNotContain("GEMINI_API_KEY")
                .doesNotContain(WORKER_SECRET);
    }

    @Test
    void theRunsModelGoesToTheCliAndAContinuedConversationBringsItsHistory() throws IOException {
        String first = run("claude", "Fix the typo in hello.txt", Map.of());
        awaitState(first, "SUCCEEDED");
        String conversation = user.get("/agent/runs/" + first).json().get("conversation_id").asText();
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "Now say what you did", "conversation_id", conversation,
                "config", Map.of("model_id", "sonnet", "harness", Map.of("type", "claude"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String second = r.json().get("run_id").asText();
        JsonNode done = awaitState(second, "SUCCEEDED");
        assertThat(done.get("status_message").get("message").asText()).contains("(model sonnet, permission mode");
        assertThat(workspaceFile(second, "received-prompt.txt")).startsWith("The conversation so far:\n\n")
                .contains("User: Fix the typo in hello.txt").contains("You: I will fix the typo in hello.txt.")
                .endsWith("Now:\n\nNow say what you did");
        // "sonnet" is no model the server prices: the tokens count, the cost does not
        assertThat(done.get("request_usage").get("input_tokens").asLong()).isEqualTo(1000);
    }

    @Test
    void theHarnessModelAndReasoningLevelReachTheCliBeforeTheConfigModel() throws IOException {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "Add codex.txt", "config", Map.of("model_id", "gpt-4.1",
                "harness", Map.of("type", "codex", "model_id", "gpt-5-codex", "reasoning_level", "high"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String run = r.json().get("run_id").asText();
        JsonNode done = awaitState(run, "SUCCEEDED");
        assertThat(done.get("status_message").get("message").asText()).contains("model gpt-5-codex)");
        assertThat(workspaceFile(run, "received-config-overrides.txt")).isEqualTo("model_reasoning_effort=\"high\"\n");
    }

    @Test
    void codexRunsHeadlessWithItsTurnsUsageUnderTheRunsModel() throws IOException {
        String run = run("codex", "Add codex.txt", Map.of("model_id", "gpt-5"));
        JsonNode done = awaitState(run, "SUCCEEDED");
        String sandbox = "workspace-write"; // isolation none: codex's own sandbox is used
        assertThat(done.get("status_message").get("message").asText())
                .startsWith("Added codex.txt (sandbox " + sandbox + ", model gpt-5).");
        assertThat(workspaceFile(run, "codex.txt")).isEqualTo("from codex\n");
        assertThat(outline(messages(run))).containsExactly(
                "user:text:Add codex.txt",
                "system:event:session_started",
                "assistant:action:run_command",
                "tool:action_result:run_command completed",
                "assistant:action:edit_files",
                "tool:action_result:edit_files completed",
                "assistant:text:Added codex.txt (sandbox " + sandbox + ", model gpt-5).");
        JsonNode usage = done.get("request_usage");
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(5000);
        assertThat(usage.get("output_tokens").asLong()).isEqualTo(300);
        assertThat(usage.get("inference_cost").asDouble()).isGreaterThan(0); // gpt-5 is priced
        assertThat(workspaceFile(run, "received-env.txt")).contains("OPENAI_API_KEY=sk-openai-e2e")
                .doesNotContain("ANTHROPIC_API_KEY").doesNotContain(WORKER_SECRET);
    }

    @Test
    void aHarnessAuthSecretReachesOnlyItsOwnCliAsItsCredentialInsteadOfTheWorkers() throws IOException {
        String claudeKey = "sk-ant-api03-" + UUID.randomUUID();
        String codexKey = "sk-codex-" + UUID.randomUUID();
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        assertThat(user.post("/secrets", Map.of("name", "CLAUDE_" + tag, "value", claudeKey)).status()).isEqualTo(201);
        assertThat(user.post("/secrets", Map.of("name", "CODEX_" + tag, "value", codexKey)).status()).isEqualTo(201);
        Map<String, Object> auth = Map.of("harness_auth_secrets", Map.of("claude_auth_secret_name", "CLAUDE_" + tag,
                "codex_auth_secret_name", "CODEX_" + tag));

        String claude = run("claude", "Fix the typo in hello.txt", auth);
        awaitState(claude, "SUCCEEDED");
        assertThat(workspaceFile(claude, "received-env.txt")).contains("ANTHROPIC_API_KEY=" + claudeKey + "\n")
                .doesNotContain("sk-ant-e2e").doesNotContain(codexKey).doesNotContain("CODEX_API_KEY");
        assertThat(user.get("/agent/runs/" + claude + "/conversation").body() + user.get("/agent/runs/" + claude).body())
                .doesNotContain(claudeKey);

        String codex = run("codex", "Add codex.txt", auth);
        awaitState(codex, "SUCCEEDED");
        assertThat(workspaceFile(codex, "received-env.txt")).contains("CODEX_API_KEY=" + codexKey + "\n")
                .doesNotContain("OPENAI_API_KEY=").doesNotContain(claudeKey);
    }

    @Test
    void geminiGathersStreamedTextIntoMessagesAndRecordsTokensPerModel() throws IOException {
        String run = run("gemini", "Write gemini.txt", Map.of());
        JsonNode done = awaitState(run, "SUCCEEDED");
        assertThat(done.get("status_message").get("message").asText()).startsWith("Wrote gemini.txt (approval mode yolo).");
        assertThat(workspaceFile(run, "gemini.txt")).isEqualTo("from gemini\n");
        assertThat(outline(messages(run))).containsExactly(
                "user:text:Write gemini.txt",
                "system:event:session_started",
                "assistant:text:Writing gemini.txt.",
                "assistant:action:write_file",
                "tool:action_result:write_file completed",
                "assistant:text:Wrote gemini.txt (approval mode yolo).");
        assertThat(done.get("request_usage").get("input_tokens").asLong()).isEqualTo(4000);
        assertThat(workspaceFile(run, "received-env.txt")).contains("GEMINI_API_KEY=gemini-e2e")
                .contains("GEMINI_CLI_TRUST_WORKSPACE=true").doesNotContain("OPENAI_API_KEY");
    }

    @Test
    void aFailureTheStreamReportsFailsTheRunWithTheStreamsError() {
        String run = run("gemini", "Use up the quota", Map.of());
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText())
                .startsWith("The gemini CLI failed (exit status 1): You have exhausted your daily quota on this model.");
        assertThat(outline(messages(run))).contains("system:event:error");
    }

    @Test
    void aCliThatDiesWithoutAResultFailsWithTheEndOfItsStandardError() {
        String run = run("claude", "crash please", Map.of());
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).startsWith("The claude CLI failed (exit status 1): ")
                .contains("TypeError: Cannot read properties of undefined (reading 'content')");
    }

    @Test
    void aSpentBudgetFailsTheRun() {
        String run = run("claude", "Fix the typo in hello.txt", Map.of("budget_usd", 0.001));
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("budget_exceeded");
        assertThat(done.get("status_message").get("message").asText()).contains("the claude CLI was stopped");
    }

    @Test
    void cancellingARunningCliStopsItsWholeProcessTree() throws Exception {
        String marker = "drover-cli-e2e-" + UUID.randomUUID();
        String run = run("codex", "hang:" + marker, Map.of());
        awaitState(run, "INPROGRESS");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> WorkerEndToEndTest.processesNamed(marker) >= 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> outline(messages(run)).contains("assistant:action:run_command"));
        assertThat(WorkerEndToEndTest.cancelAndTime(user, run)).as("from the cancel request to CANCELLED")
                .isLessThan(Duration.ofSeconds(10));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> WorkerEndToEndTest.processesNamed(marker) == 0);
    }
}
