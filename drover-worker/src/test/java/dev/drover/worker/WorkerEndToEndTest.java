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
                List.of(server.server().config().dataDir()), Map.of(), Duration.ofSeconds(2)).withIsolation(IsolationSettings.of("none"))).start();
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
    void theTranscriptFollowsTheRunAndIsDownloadableThroughASignedUrlOnly() throws Exception {
        String run = run("read p; echo \"first $p\"; echo second", "the prompt");
        awaitState(run, "SUCCEEDED");
        JsonNode conversation = user.get("/agent/runs/" + run + "/conversation").json();
        assertThat(conversation.get("conversation_id").asText())
                .isEqualTo(user.get("/agent/runs/" + run).json().get("conversation_id").asText());
        JsonNode messages = Transcripts.withoutIsolationNote(conversation.get("steps").get(0).get("messages"));
        assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(0).get("content").get(0).get("text").asText()).isEqualTo("the prompt");
        StringBuilder said = new StringBuilder();
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).get("role").asText()).isEqualTo("assistant");
            said.append(messages.get(i).get("content").get(0).get("text").asText());
        }
        assertThat(said.toString()).isEqualTo("first the prompt\nsecond\n");

        Api.Reply redirect = user.get("/agent/runs/" + run + "/transcript");
        assertThat(redirect.status()).isEqualTo(302);
        String location = redirect.header("location");
        assertThat(location).startsWith(server.server().publicUrl() + "/files/transcripts/" + run + "?expires=");
        Api anonymous = new Api("", null);
        Api.Reply download = anonymous.get(location);
        assertThat(download.status()).isEqualTo(200);
        assertThat(Transcripts.withoutIsolationNote(download.json().get("steps").get(0).get("messages"))).hasSize(messages.size());
        // a signature with its first character changed (replacing it with x would change nothing when it is x)
        int at = location.indexOf("signature=") + "signature=".length();
        String forged = location.substring(0, at) + (location.charAt(at) == 'x' ? 'y' : 'x') + location.substring(at + 1);
        assertThat(anonymous.get(forged).status()).isEqualTo(403);
        assertThat(anonymous.get(location.replace(run, UUID.randomUUID().toString())).status()).isEqualTo(403);
        Api stranger = server.newTenant("t-" + UUID.randomUUID());
        assertThat(stranger.get("/agent/runs/" + run + "/transcript").status()).isEqualTo(404);
        assertThat(stranger.get("/agent/runs/" + run + "/conversation").status()).isEqualTo(404);
    }

    @Test
    void filesTheAgentPublishesBecomeArtifactsDownloadableThroughSignedUrls() {
        String run = run("mkdir -p .drover/artifacts/reports && printf 'all green' > .drover/artifacts/reports/summary.txt", "p");
        JsonNode done = awaitState(run, "SUCCEEDED");
        JsonNode artifact = done.get("artifacts").get(0);
        assertThat(artifact.get("artifact_type").asText()).isEqualTo("FILE");
        assertThat(artifact.get("data").get("filepath").asText()).isEqualTo("reports/summary.txt");
        assertThat(artifact.get("data").get("filename").asText()).isEqualTo("summary.txt");
        assertThat(artifact.get("data").get("size_bytes").asLong()).isEqualTo(9);
        String uid = artifact.get("data").get("artifact_uid").asText();

        JsonNode details = user.get("/agent/artifacts/" + uid).json();
        assertThat(details.get("artifact_type").asText()).isEqualTo("FILE");
        assertThat(details.get("data").get("content_type").asText()).startsWith("text/plain");
        assertThat(details.get("data").has("expires_at")).isTrue();
        Api anonymous = new Api("", null);
        Api.Reply download = anonymous.get(details.get("data").get("download_url").asText());
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("all green");
        assertThat(anonymous.get(details.get("data").get("download_url").asText().replace("signature=", "signature=x"))
                .status()).isEqualTo(403);

        assertThat(RunsOf.ids(user.get("/agent/runs?artifact_type=FILE&limit=500").json())).contains(run);
        assertThat(server.newTenant("a-" + UUID.randomUUID()).get("/agent/artifacts/" + uid).status()).isEqualTo(404);
        assertThat(user.get("/agent/artifacts/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void aLinkInTheArtifactsDirectoryNeverPublishesAFileOutsideTheWorkspace() {
        // the worker uploads outside the sandbox: a link to its own environment must not be followed
        String run = run("mkdir -p .drover/artifacts && ln -s /proc/self/environ .drover/artifacts/env"
                + " && ln -s /etc .drover/artifacts/etc && printf ok > .drover/artifacts/real.txt", "p");
        JsonNode done = awaitState(run, "SUCCEEDED");
        List<String> published = new java.util.ArrayList<>();
        done.get("artifacts").forEach(a -> published.add(a.get("data").get("filepath").asText()));
        assertThat(published).containsExactly("real.txt");
    }

    /** Run ids of a list reply. */
    static final class RunsOf {
        static List<String> ids(JsonNode list) {
            List<String> out = new java.util.ArrayList<>();
            list.get("runs").forEach(r -> out.add(r.get("run_id").asText()));
            return out;
        }
    }

    @Test
    void aContinuedConversationListsEveryRunAsAStep() {
        String first = run("echo one", "first");
        awaitState(first, "SUCCEEDED");
        String conversation = user.get("/agent/runs/" + first).json().get("conversation_id").asText();
        Api.Reply next = user.post("/agent/runs", Map.of("prompt", "second", "conversation_id", conversation,
                "config", Map.of("harness", Map.of("type", "command", "command", "echo two"))));
        String second = next.json().get("run_id").asText();
        awaitState(second, "SUCCEEDED");
        JsonNode steps = user.get("/agent/conversations/" + conversation).json().get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("id").asText()).isEqualTo(first);
        assertThat(steps.get(1).get("id").asText()).isEqualTo(second);
        assertThat(user.get("/agent/conversations/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void aFinishedRunsSandboxIsReportedRunningUntilItsWorkspaceIsRemoved() {
        String run = run("echo keep me > note.txt", "p");
        JsonNode done = awaitState(run, "SUCCEEDED");
        assertThat(done.get("is_sandbox_running").asBoolean()).as("kept for the idle timeout").isTrue();
        assertThat(work.resolve(run).resolve("note.txt")).exists();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                !user.get("/agent/runs/" + run).json().get("is_sandbox_running").asBoolean());
        assertThat(work.resolve(run)).doesNotExist();
    }

    @Test
    void attachmentsAreWrittenIntoTheWorkspace() {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "look", "attachments", List.of(
                        Map.of("file_name", "notes.txt", "mime_type", "text/plain", "data", "c2VlIG1l")),
                "config", Map.of("harness", Map.of("type", "command", "command", "cat .drover/attachments/notes.txt"))));
        JsonNode done = awaitState(r.json().get("run_id").asText(), "SUCCEEDED");
        assertThat(done.get("status_message").get("message").asText()).contains("see me");
    }

    @Test
    void aCommandThatFailsEndsTheRunFailed() {
        String run = run("echo broken >&2; exit 3", "p");
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).contains("status 3").contains("broken");
    }

    @Test
    void aCliHarnessWhoseCliIsNotOnTheWorkersPathFailsTheRunSayingHowToInstallIt() {
        String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness", Map.of("type", "claude"))))
                .json().get("run_id").asText();
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).isEqualTo("The claude harness needs the `claude` "
                + "CLI on worker e2e's PATH (or DROVER_CLAUDE_PATH naming it); install it with "
                + "npm install -g @anthropic-ai/claude-code");
        assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("feature_not_available");
    }

    @Test
    void theBuiltInAgentWithoutAConfiguredProviderFailsSayingWhatIsMissing() {
        String run = user.createRun("needs a model");
        JsonNode done = awaitState(run, "FAILED");
        assertThat(done.get("status_message").get("message").asText()).contains("OPENAI_API_KEY");
        assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("integration_not_configured");
    }

    @Test
    void cancellingARunningAgentStopsItsWholeProcessTree() throws Exception {
        String marker = "drover-e2e-" + UUID.randomUUID();
        String run = run("bash -c '(exec -a " + marker + " sleep 600) & exec -a " + marker + " sleep 601'", "p");
        awaitState(run, "INPROGRESS");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) >= 2); // both sleeps (and the shell that started them)
        assertThat(cancelAndTime(user, run)).as("from the cancel request to CANCELLED").isLessThan(Duration.ofSeconds(10));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> processesNamed(marker) == 0);
    }

    @Test
    void anAgentThatIgnoresSigtermIsKilledAndTheRunCancelledWithinTwoSeconds() throws Exception {
        // the worst case for a process harness: SIGTERM does nothing, so the whole grace period passes before SIGKILL
        String marker = "drover-e2e-stubborn-" + UUID.randomUUID();
        String run = run("bash -c 'trap \"\" TERM; exec -a " + marker + " sleep 600'", "p");
        awaitState(run, "INPROGRESS");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) >= 1);
        assertThat(cancelAndTime(user, run)).as("from the cancel request to CANCELLED").isLessThan(Duration.ofSeconds(10));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> processesNamed(marker) == 0);
    }

    /** Cancels the run and answers how long it took to reach CANCELLED, polled every 20 ms. */
    static Duration cancelAndTime(Api user, String run) {
        long at = System.nanoTime();
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                user.get("/agent/runs/" + run).json().get("state").asText().matches("CANCELLED|SUCCEEDED|FAILED|ERROR"));
        Duration took = Duration.ofNanos(System.nanoTime() - at);
        assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CANCELLED");
        return took;
    }

    static int processesNamed(String marker) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-c", "-f", marker).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out.isEmpty() ? 0 : Integer.parseInt(out);
    }
}
