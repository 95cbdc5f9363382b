package dev.drover.worker;

import dev.drover.server.testing.BareRepos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs in environments, end to end: a real server whose git base URL is a directory of real bare repositories
 * made by the test, and a real worker (over HTTP) cloning them with JGit and running setup commands as real
 * processes before the command harness.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EnvironmentEndToEndTest {
    static final String GIT_TOKEN = "ghp_e2eGitTokenThatMustNeverLeak";
    TestServer server;
    Worker worker;
    Api user;
    Path work;
    BareRepos repos;
    String webCommit;

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        repos = new BareRepos(Files.createTempDirectory("drover-git-"));
        webCommit = repos.create("acme", "web", Map.of("README.md", "hello from web\n", "src/app.txt", "app"));
        repos.create("acme", "lib", Map.of("VERSION", "1.0\n"));
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withGitBaseUrl(repos.root().toString()));
        user = server.admin();
        Api key = server.newWorkerKey("env-e2e-" + UUID.randomUUID());
        work = Files.createTempDirectory("drover-work-");
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "env-e2e", "default", 2, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()), Map.of("DROVER_GIT_TOKEN", GIT_TOKEN),
                Duration.ofSeconds(30)).withIsolation(IsolationSettings.of("none"))).start();
    }

    @AfterAll
    void stop() {
        worker.close();
        server.close();
    }

    private String environment(List<String> repoNames, List<String> setup) {
        List<Map<String, String>> list = new ArrayList<>();
        for (String r : repoNames) {
            list.add(Map.of("owner", r.substring(0, r.indexOf('/')), "repo", r.substring(r.indexOf('/') + 1)));
        }
        return user.createEnvironment(Map.of("name", "env-" + UUID.randomUUID(), "github_repos", list,
                "setup_commands", setup));
    }

    private String runIn(String environment, String command) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "work", "config", Map.of("environment_id", environment,
                "harness", Map.of("type", "command", "command", command))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private JsonNode awaitState(String run, String state) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode now = user.get("/agent/runs/" + run).json();
            assertThat(now.get("state").asText()).as(now.toString()).isEqualTo(state);
        });
        return user.get("/agent/runs/" + run).json();
    }

    /** The content blocks of a run's transcript, each with the role of its message added as {@code role}. */
    private List<JsonNode> blocks(String run) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : Transcripts.withoutIsolationNote(user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages"))) {
            for (JsonNode b : m.get("content")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) b).put("role", m.get("role").asText());
                out.add(b);
            }
        }
        return out;
    }

    private static List<JsonNode> ofType(List<JsonNode> blocks, String type) {
        return blocks.stream().filter(b -> b.get("type").asText().equals(type)).toList();
    }

    private String assistantText(String run) {
        StringBuilder said = new StringBuilder();
        blocks(run).stream().filter(b -> b.get("role").asText().equals("assistant"))
                .forEach(b -> said.append(b.get("text").asText()));
        return said.toString();
    }

    @Test
    void aRunInAnEnvironmentHasItsRepositoriesClonedAndItsSetupCommandsRunInOrderBeforeTheAgent() {
        String env = environment(List.of("acme/web", "acme/lib"), List.of(
                "echo one >> setup.log", "cat web/README.md >> setup.log", "echo \"three $(cat lib/VERSION)\" >> setup.log"));
        String run = runIn(env, "cat setup.log; cat web/src/app.txt; echo");
        JsonNode done = awaitState(run, "SUCCEEDED");
        assertThat(done.get("started_at")).isNotNull();
        assertThat(assistantText(run)).isEqualTo("one\nhello from web\nthree 1.0\napp\n");

        List<JsonNode> blocks = blocks(run);
        List<JsonNode> events = ofType(blocks, "event");
        assertThat(events.get(0).get("name").asText()).isEqualTo("environment_setup");
        assertThat(events.get(0).get("data").get("environment_id").asText()).isEqualTo(env);
        assertThat(events.get(1).get("name").asText()).isEqualTo("repository_cloned");
        assertThat(events.get(1).get("data").get("repo").asText()).isEqualTo("acme/web");
        assertThat(events.get(1).get("data").get("commit").asText()).isEqualTo(webCommit);
        assertThat(events.get(2).get("data").get("repo").asText()).isEqualTo("acme/lib");
        List<JsonNode> actions = ofType(blocks, "action");
        assertThat(actions).extracting(a -> a.get("input").get("command").asText())
                .containsExactly("echo one >> setup.log", "cat web/README.md >> setup.log",
                        "echo \"three $(cat lib/VERSION)\" >> setup.log");
        assertThat(ofType(blocks, "action_result")).extracting(r -> r.get("state").asText())
                .containsExactly("completed", "completed", "completed");
        assertThat(blocks.indexOf(actions.getLast())).as("setup comes before the agent's prompt")
                .isLessThan(blocks.indexOf(blocks.stream().filter(b -> b.get("role").asText().equals("user")).findFirst().orElseThrow()));

        JsonNode environment = user.get("/agent/environments/" + env).json();
        assertThat(environment.get("setup_failed").asBoolean()).isFalse();
        assertThat(environment.get("last_task_created").get("id").asText()).isEqualTo(run);
        assertThat(environment.get("last_task_created").get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(environment.get("last_task_run_timestamp").asText()).isEqualTo(done.get("started_at").asText());
    }

    @Test
    void theGitTokenNeverReachesTheCloneSetupCommandsOrTheAgent() throws Exception {
        String env = environment(List.of("acme/web"), List.of("env"));
        String run = runIn(env, "env; cat web/.git/config");
        awaitState(run, "SUCCEEDED");
        String conversation = user.get("/agent/runs/" + run + "/conversation").body();
        assertThat(conversation).contains("DROVER_RUN_ID=" + run).contains("[remote \\\"origin\\\"]")
                .doesNotContain(GIT_TOKEN).doesNotContain("DROVER_GIT_TOKEN");
        assertThat(Files.readString(work.resolve(run).resolve("web/.git/config"))).doesNotContain(GIT_TOKEN)
                .contains(repos.root().resolve("acme/web.git").toString());
    }

    @Test
    void aFailingSetupCommandFailsTheRunWithEnvironmentSetupFailedUntilTheEnvironmentIsFixed() {
        String env = environment(List.of("acme/web"), List.of("echo first", "echo broken >&2; exit 4", "echo never"));
        String run = runIn(env, "echo the agent ran");
        JsonNode failed = awaitState(run, "FAILED");
        JsonNode status = failed.get("status_message");
        assertThat(status.get("error_code").asText()).isEqualTo("environment_setup_failed");
        assertThat(status.get("message").asText()).startsWith("Setup command 2 of 3 (echo broken >&2; exit 4) exited with status 4: broken");
        assertThat(failed.has("started_at")).as("the agent never started").isFalse();
        List<JsonNode> blocks = blocks(run);
        assertThat(ofType(blocks, "action")).hasSize(2);
        assertThat(ofType(blocks, "action_result")).extracting(r -> r.get("state").asText()).containsExactly("completed", "failed");
        assertThat(ofType(blocks, "action_result").get(1).get("output").get("exit_code").asInt()).isEqualTo(4);
        assertThat(assistantText(run)).isEmpty();
        assertThat(user.get("/agent/environments/" + env).json().get("setup_failed").asBoolean()).isTrue();

        JsonNode config = user.get("/agent/environments/" + env).json().get("config");
        ((com.fasterxml.jackson.databind.node.ObjectNode) config).set("setup_commands",
                dev.drover.api.Json.mapper().valueToTree(List.of("echo first", "echo fixed")));
        assertThat(user.put("/agent/environments/" + env, config.toString()).status()).isEqualTo(200);
        String again = runIn(env, "echo the agent ran");
        awaitState(again, "SUCCEEDED");
        assertThat(user.get("/agent/environments/" + env).json().get("setup_failed").asBoolean()).isFalse();
    }

    @Test
    void aRepositoryTheGitSourceDoesNotHaveFailsTheRunWithEnvironmentSetupFailed() {
        String env = environment(List.of("acme/web", "acme/missing"), List.of("echo setup ran"));
        String run = runIn(env, "echo the agent ran");
        JsonNode status = awaitState(run, "FAILED").get("status_message");
        assertThat(status.get("error_code").asText()).isEqualTo("environment_setup_failed");
        assertThat(status.get("message").asText()).startsWith("Could not clone acme/missing from file:")
                .contains("acme/missing.git");
        List<JsonNode> blocks = blocks(run);
        assertThat(ofType(blocks, "event")).extracting(e -> e.get("name").asText())
                .containsExactly("environment_setup", "repository_cloned", "repository_clone_failed");
        assertThat(ofType(blocks, "action")).as("no setup command ran").isEmpty();
        assertThat(user.get("/agent/environments/" + env).json().get("setup_failed").asBoolean()).isTrue();
    }

    @Test
    void cancellingARunDuringItsSetupStopsTheSetupCommandAndEndsItCancelled() throws Exception {
        String marker = "drover-setup-" + UUID.randomUUID();
        String env = environment(List.of("acme/web"), List.of("bash -c '(exec -a " + marker + " sleep 600) & exec -a "
                + marker + " sleep 601'", "echo never"));
        String run = runIn(env, "echo the agent ran");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> WorkerEndToEndTest.processesNamed(marker) >= 2);
        assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CLAIMED");
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        JsonNode cancelled = awaitState(run, "CANCELLED");
        assertThat(cancelled.has("started_at")).isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> WorkerEndToEndTest.processesNamed(marker) == 0);
        assertThat(ofType(blocks(run), "action")).hasSize(1);
        assertThat(user.get("/agent/environments/" + env).json().get("setup_failed").asBoolean())
                .as("a cancelled setup did not fail").isFalse();
    }
}
