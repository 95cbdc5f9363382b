package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;

/**
 * The whole path of a skill run: a skill in a real repository, an environment cloning it with a setup command, a
 * run naming the skill by its short spec with arguments in the prompt, the built-in agent (scripted model) given
 * the skill's instructions with the arguments filled in, editing the cloned repository and opening a pull request.
 */
class SkillRunEndToEndTest {

    @Test
    void aSkillRunClonesTheRepoFollowsTheFilledInstructionsEditsAFileAndOpensAPullRequest() throws Exception {
        BareRepos repos = new BareRepos(Files.createTempDirectory("drover-skill-repos-"));
        repos.create("acme", "app", Map.of(
                ".agents/skills/fix/SKILL.md", """
                        ---
                        name: fix
                        description: Fixes a bug in one file
                        ---
                        Fix the bug in $ARGUMENTS[0], then report "$1".
                        """,
                "src/app.txt", "status: bug\n"));
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig()
                        .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")).withGitBaseUrl(repos.root().toString()));
                ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("read_file", Map.of("path", "app/setup.txt"))
                    .thenCall("edit_file", Map.of("path", "app/src/app.txt", "old_text", "bug", "new_text", "fixed"))
                    .thenCall("run_shell", Map.of("command", "cat app/src/app.txt"))
                    .thenCall("create_artifact", Map.of("artifact_type", "PULL_REQUEST",
                            "url", "https://git.example/acme/app/pull/7", "branch", "fix-app"))
                    .thenCall("finish", Map.of("success", true, "summary", "all clear"));
            Api user = server.admin();
            String env = user.createEnvironment(Map.of("name", "app", "github_repos",
                    List.of(Map.of("owner", "acme", "repo", "app")), "setup_commands", List.of("echo ready > app/setup.txt")));
            Api key = server.newWorkerKey("skills-" + UUID.randomUUID());
            Path work = Files.createTempDirectory("drover-skill-work-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "skills", "default", 1, work,
                    WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start()) {
                String run = user.createRun(Map.of("skill", "app:fix", "prompt", "src/app.txt \"all clear\"",
                        "config", Map.of("environment_id", env, "model_id", "gpt-5-mini")));
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
                JsonNode done = user.get("/agent/runs/" + run).json();
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("agent_skill").get("name").asText()).isEqualTo("fix");
                assertThat(done.get("agent_config").get("name").asText()).isEqualTo("fix");
                assertThat(done.get("artifacts").get(0).get("artifact_type").asText()).isEqualTo("PULL_REQUEST");
                assertThat(done.get("artifacts").get(0).get("data").get("url").asText())
                        .isEqualTo("https://git.example/acme/app/pull/7");
                assertThat(done.get("request_usage").get("input_tokens").asLong()).isPositive();

                // the skill's instructions reached the model with $ARGUMENTS[0] and $1 filled from the prompt
                String system = model.requests.getFirst().get("messages").get(0).get("content").asText();
                assertThat(system).contains("Fix the bug in src/app.txt, then report \"all clear\".");
                // the setup command ran in the clone before the agent, and the agent's edit really happened there
                assertThat(model.requests.get(1).get("messages").toString()).contains("ready");
                assertThat(model.requests.get(3).get("messages").toString()).contains("status: fixed");

                String transcript = user.get("/agent/runs/" + run + "/conversation").json().toString();
                assertThat(transcript).contains("repository_cloned").contains("edit_file").contains("create_artifact");
            }
        }
    }
}
