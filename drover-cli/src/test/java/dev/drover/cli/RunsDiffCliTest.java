package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import dev.drover.worker.IsolationSettings;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@code drover runs diff}: a real run's changes, printed after its workspace is gone. */
class RunsDiffCliTest {

    @Test
    void aRunsDiffIsPrintedAsAPatchAndAsAStatAfterItsWorkspaceIsRemoved() throws Exception {
        BareRepos repos = new BareRepos(Files.createTempDirectory("drover-cli-git-"));
        repos.create("acme", "web", Map.of("README.md", "hello\n", "logo.bin", "x"));
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig()
                .withGitBaseUrl(repos.root().toString()))) {
            Api key = server.newWorkerKey("cli-diff-" + UUID.randomUUID());
            Path work = Files.createTempDirectory("drover-cli-work-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "cli", "default", 1, work,
                    WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                    List.of(server.server().config().dataDir()), Map.of(), Duration.ofSeconds(1))
                    .withIsolation(IsolationSettings.of("none"))).start()) {
                Api user = server.admin();
                String env = user.createEnvironment(Map.of("name", "cli-diff",
                        "github_repos", List.of(Map.of("owner", "acme", "repo", "web"))));
                String run = user.post("/agent/runs", Map.of("prompt", "edit", "title", "Edit", "config", Map.of(
                        "environment_id", env, "harness", Map.of("type", "command", "command",
                                "cd web && echo 'hello, world' > README.md && printf '\\000\\001' > logo.bin")))).json()
                        .get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().equals("SUCCEEDED"));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        !user.get("/agent/runs/" + run).json().get("is_sandbox_running").asBoolean());
                assertThat(work.resolve(run)).doesNotExist();

                String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
                CliTest.Result patch = CliTest.cli(CliTest.concat(new String[] {"runs", "diff", run}, as));
                assertThat(patch.code()).as(patch.err()).isZero();
                assertThat(patch.out()).isEqualTo(user.get("/agent/runs/" + run + "/diff").json().get("repos").get(0)
                        .get("diff").asText());
                assertThat(patch.out()).contains("diff --git a/README.md b/README.md", "-hello", "+hello, world");

                CliTest.Result stat = CliTest.cli(CliTest.concat(new String[] {"runs", "diff", run, "--stat"}, as));
                assertThat(stat.code()).as(stat.err()).isZero();
                assertThat(stat.out()).startsWith("acme/web  drover/" + run.substring(0, 8) + "  ")
                        .contains("  pushed\n", " README.md | 2 +-\n", " logo.bin  | Bin\n",
                                " 2 files changed, 1 insertion(+), 1 deletion(-)\n");

                CliTest.Result json = CliTest.cli(CliTest.concat(new String[] {"runs", "diff", run, "--json"}, as));
                assertThat(json.out()).contains("\"repository\" : \"acme/web\"").contains("\"pushed\" : true");

                CliTest.Result missing = CliTest.cli(CliTest.concat(new String[] {"runs", "diff",
                    UUID.randomUUID().toString()}, as));
                assertThat(missing.code()).isEqualTo(1);
                assertThat(missing.err()).contains("404");
            }
        }
    }
}
