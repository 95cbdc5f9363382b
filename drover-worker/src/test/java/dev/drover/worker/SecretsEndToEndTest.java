package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * Managed secrets end to end: a real server and a real worker, an environment naming a secret, setup commands and
 * an agent (the command harness, and the built-in harness driven by a scripted model) that use it and print it —
 * and the value in none of what leaves the run: transcript, conversation, events, artifacts, status, the model's
 * requests, or anything the server and the worker log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecretsEndToEndTest {
    TestServer server;
    ScriptedModelServer model;
    Worker worker;
    Api user;
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level rootLevel;

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        captureLogs();
        model = new ScriptedModelServer();
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
        user = server.admin();
        Api key = server.newWorkerKey("secrets-e2e-" + UUID.randomUUID());
        Path work = Files.createTempDirectory("drover-secrets-work-");
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "secrets-e2e", "default", 2, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()),
                Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), Duration.ofSeconds(30))
                .withIsolation(IsolationSettings.of("none"))).start();
    }

    @AfterAll
    void stop() {
        worker.close();
        server.close();
        model.close();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(logged);
        root.setLevel(rootLevel);
    }

    /** Everything logged in this JVM (server and worker alike), at every level, from the server's start on. */
    private void captureLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logged.start();
        root.addAppender(logged);
    }

    private JsonNode awaitEnd(String run) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR|CANCELLED"));
        return user.get("/agent/runs/" + run).json();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Every text that leaves the run for anyone to read, concatenated, with the assistant's output joined up. */
    private String everythingShown(String run, JsonNode done) {
        StringBuilder all = new StringBuilder();
        JsonNode conversation = user.get("/agent/runs/" + run + "/conversation").json();
        all.append(conversation).append('\n');
        StringBuilder joined = new StringBuilder(); // streamed output, as one text: a value split between messages
        for (JsonNode m : conversation.get("steps").get(0).get("messages")) {
            for (JsonNode b : m.get("content")) {
                if (b.has("text")) {
                    joined.append(b.get("text").asText());
                }
            }
        }
        all.append(joined).append('\n');
        all.append(user.get("/agent/runs/" + run + "/transcript").body()).append('\n');
        all.append(user.get("/agent/events?run_ids=" + run + "&limit=500").body()).append('\n');
        all.append(done).append('\n');
        Api anonymous = new Api("", null);
        for (JsonNode a : done.get("artifacts")) {
            JsonNode details = user.get("/agent/artifacts/" + a.get("data").get("artifact_uid").asText()).json();
            all.append(details).append('\n');
            if (details.get("data").has("download_url")) {
                all.append(anonymous.get(details.get("data").get("download_url").asText()).body()).append('\n');
            }
        }
        for (ILoggingEvent e : List.copyOf(logged.list)) {
            all.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
                all.append(e.getThrowableProxy().getMessage()).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    void anEnvironmentSecretReachesSetupAndTheAgentAndIsRedactedEverywhereEvenSplitAcrossOutputChunks()
            throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "");
        String value = "npm_" + suffix;
        // a value of two lines, printed a line at a time with a pause between: it leaves the process in two pieces
        String pem = "-----BEGIN KEY-----" + suffix.substring(0, 12) + "\n" + suffix.substring(12) + "-----END KEY-----";
        assertThat(user.post("/secrets", Map.of("name", "NPM_TOKEN", "value", value)).status()).isEqualTo(201);
        assertThat(user.post("/secrets", Map.of("name", "DEPLOY_PEM", "value", pem)).status()).isEqualTo(201);
        String env = user.createEnvironment(Map.of("name", "with-secrets", "secrets", List.of("NPM_TOKEN", "DEPLOY_PEM"),
                "setup_commands", List.of("printf %s \"$NPM_TOKEN\" | sha256sum > setup-saw.txt; echo \"setup: $NPM_TOKEN\"")));
        String command = String.join("\n",
                "echo \"agent: $NPM_TOKEN\"",
                "printf %s \"$NPM_TOKEN\" | sha256sum",
                "cat setup-saw.txt",
                "echo \"$DEPLOY_PEM\" | head -n 1",
                "sleep 2.5",
                "echo \"$DEPLOY_PEM\" | tail -n 1",
                "mkdir -p .drover/artifacts && echo \"file: $NPM_TOKEN\" > .drover/artifacts/leak.txt",
                "echo \"last: $NPM_TOKEN\"");
        Api.Reply created = user.post("/agent/runs", Map.of("prompt", "print your secrets", "config", Map.of(
                "environment_id", env, "harness", Map.of("type", "command", "command", command))));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String run = created.json().get("run_id").asText();
        JsonNode done = awaitEnd(run);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        // it was there: the agent and the setup command both hashed the real value
        String conversation = user.get("/agent/runs/" + run + "/conversation").body();
        assertThat(conversation).contains(sha256(value) + "  -").contains("agent: [redacted:NPM_TOKEN]")
                .contains("setup: [redacted:NPM_TOKEN]");
        assertThat(done.get("status_message").get("message").asText()).contains("last: [redacted:NPM_TOKEN]");

        String shown = everythingShown(run, done);
        assertThat(shown).contains("[redacted:DEPLOY_PEM]").contains("file: [redacted:NPM_TOKEN]").contains("run_succeeded");
        assertThat(shown).doesNotContain(value).doesNotContain(pem)
                .doesNotContain(pem.replace("\n", "\\n")); // nor JSON-escaped
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.startsWith("secrets are encrypted with key")); // the capture did capture
    }

    @Test
    void theBuiltInAgentUsesASecretThroughItsVariableAndNeitherTheModelNorTheTranscriptSeesIt() throws Exception {
        String value = "ghp_" + UUID.randomUUID().toString().replace("-", "");
        assertThat(user.post("/secrets", Map.of("name", "GH_TOKEN", "value", value)).status()).isEqualTo(201);
        String env = user.createEnvironment(Map.of("name", "oz-secrets", "secrets", List.of("GH_TOKEN")));
        String marker = "OZ-SECRET-" + UUID.randomUUID();
        model.whenPromptMentions(marker)
                .thenCall("run_shell", Map.of("command", "echo token=$GH_TOKEN; printf %s \"$GH_TOKEN\" | sha256sum"))
                .thenCall("create_artifact", Map.of("artifact_type", "PLAN", "title", "plan", "content",
                        "nothing secret"))
                .thenCall("finish", Map.of("success", true, "summary", "done"));
        String run = user.post("/agent/runs", Map.of("prompt", marker, "config", Map.of("environment_id", env,
                "model_id", "gpt-5-mini"))).json().get("run_id").asText();
        JsonNode done = awaitEnd(run);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        String toModel = model.requests.toString();
        assertThat(toModel).contains("token=[redacted:GH_TOKEN]").contains(sha256(value)).doesNotContain(value);
        assertThat(everythingShown(run, done)).contains("token=[redacted:GH_TOKEN]").doesNotContain(value);
    }

    @Test
    void aRunWhoseSecretWasDeletedBeforeItsClaimFailsClearlyWithoutStarting() {
        Api.Reply secret = user.post("/secrets", Map.of("name", "SHORT_LIVED", "value", "short-lived-value"));
        String env = user.createEnvironment(Map.of("name", "gone", "secrets", List.of("SHORT_LIVED"),
                "setup_commands", List.of("touch setup-ran")));
        // a worker pool nobody serves yet holds the run until the secret is gone
        String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("environment_id", env,
                "worker_host", "nobody-" + UUID.randomUUID(), "harness", Map.of("type", "command", "command", "true"))))
                .json().get("run_id").asText();
        user.delete("/secrets/" + secret.json().get("uid").asText());
        Api key = server.newWorkerKey("late-" + UUID.randomUUID());
        String pool = user.get("/agent/runs/" + run).json().get("agent_config").get("worker_host").asText();
        try (Worker late = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "late", pool, 1,
                server.server().config().dataDir().resolve("late-work"), WorkerConfig.DEFAULT_RUN_TIMEOUT,
                WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(), Map.of(), Duration.ofSeconds(30))
                .withIsolation(IsolationSettings.of("none"))).start()) {
            JsonNode done = awaitEnd(run);
            assertThat(done.get("state").asText()).isEqualTo("FAILED");
            assertThat(done.get("status_message").get("message").asText()).contains("SHORT_LIVED").contains("deleted");
            assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("resource_not_found");
            assertThat(done.has("started_at")).isFalse();
        }
    }
}
