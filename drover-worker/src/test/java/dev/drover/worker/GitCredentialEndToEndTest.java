package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.forge.ForgeKind;
import dev.drover.forge.testing.FakeForge;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.GitHttpServer;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A team secret as the run's git credential, end to end: git's own smart-HTTP server and a GitHub double that accept
 * only the team's token, a worker whose own {@code DROVER_GIT_TOKEN} they refuse, and an environment naming the
 * secret as its {@code git_secret}. The run clones, pushes and opens its pull request with the secret; its agent
 * (the command harness printing its environment) never has it, and neither does the transcript; a run whose secret
 * was deleted fails before anything is cloned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GitCredentialEndToEndTest {
    /** The team's token: the only one the remote and the forge accept. */
    static final String TEAM_TOKEN = "ghp_teamTokenOnlyTheWorkerMayHold" + UUID.randomUUID().toString().replace("-", "");
    /** The worker's own token, which the remote and the forge refuse. */
    static final String WORKER_TOKEN = "ghp_workerTokenTheRemoteRefuses";
    BareRepos repos;
    GitHttpServer gitHttp;
    FakeForge forge;
    TestServer server;
    Worker worker;
    Path work;
    Api user;

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        repos = new BareRepos(Files.createTempDirectory("drover-git-cred-remotes-"));
        for (String repo : List.of("web", "plain", "late")) {
            repos.create("acme", repo, Map.of("README.md", "hello\n"));
        }
        gitHttp = GitHttpServer.start(repos.root(), TEAM_TOKEN);
        forge = FakeForge.start(ForgeKind.GITHUB, TEAM_TOKEN);
        for (String repo : List.of("web", "plain", "late")) {
            forge.repo("acme", repo, "main");
        }
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withGitBaseUrl(gitHttp.baseUrl()).withForge("github", forge.apiBase().toString()));
        user = server.admin();
        work = Files.createTempDirectory("drover-git-cred-work-");
        worker = worker("default", work);
        Api.Reply secret = user.post("/secrets", Map.of("name", "REPO_TOKEN", "value", TEAM_TOKEN));
        assertThat(secret.status()).as(secret.toString()).isEqualTo(201);
    }

    private Worker worker(String pool, Path dir) {
        Api key = server.newWorkerKey("git-cred-" + UUID.randomUUID());
        return new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "git-cred", pool, 1, dir,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()), Map.of("DROVER_GIT_TOKEN", WORKER_TOKEN),
                Duration.ofSeconds(3)).withIsolation(IsolationSettings.of("none"))).start();
    }

    @AfterAll
    void stop() {
        worker.close();
        server.close();
        forge.close();
        gitHttp.close();
    }

    private JsonNode awaitEnd(String run) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR|CANCELLED"));
        return user.get("/agent/runs/" + run).json();
    }

    private String run(String env, String command, String pool) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "work", "title", "Use the team token", "config",
                Map.of("environment_id", env, "worker_host", pool, "harness", Map.of("type", "command", "command",
                        command))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    /** Every git request that carried credentials carried the team's token: the worker's was never tried. */
    private void assertOnlyTheTeamTokenWasSent() {
        assertThat(gitHttp.requests()).filteredOn(r -> r.user() != null).allSatisfy(r -> {
            assertThat(r.user()).isEqualTo("x-access-token");
            assertThat(r.authorized()).as("%s %s", r.method(), r.path()).isTrue();
        });
    }

    private String fileOnBranch(String repo, String branch, String path) throws IOException {
        try (Repository r = new FileRepositoryBuilder().setGitDir(repos.root().resolve("acme/" + repo + ".git")
                .toFile()).build(); RevWalk walk = new RevWalk(r)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            assertThat(id).as("branch %s of acme/%s", branch, repo).isNotNull();
            try (TreeWalk t = TreeWalk.forPath(r, path, walk.parseCommit(id).getTree())) {
                return new String(r.open(t.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /** Every file under {@code dir} (the clone's .git included) whose bytes hold {@code text}. */
    private static List<Path> filesHolding(Path dir, String text) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void theTeamsGitSecretClonesPushesAndOpensThePullRequestAndTheAgentNeverHasIt() throws Exception {
        String visible = "npm_" + UUID.randomUUID().toString().replace("-", "");
        assertThat(user.post("/secrets", Map.of("name", "VISIBLE_TOKEN", "value", visible)).status()).isEqualTo(201);
        String env = user.createEnvironment(Map.of("name", "team-git", "git_secret", "REPO_TOKEN",
                "secrets", List.of("VISIBLE_TOKEN"), "github_repos", List.of(Map.of("owner", "acme", "repo", "web")),
                "setup_commands", List.of("env > setup-env.txt")));
        int forgeMark = forge.requests().size();
        // the agent prints its environment, keeps a copy, then waits until the test has looked at the workspace
        String run = run(env, "env; env > agent-env.txt; cd web && echo 'hello, team' > README.md && touch ../started"
                + " && while [ ! -f ../go ]; do sleep 0.05; done", "default");
        Path workspace = work.resolve(run);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(workspace.resolve("started"))
                || user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
        assertThat(workspace.resolve("started")).as("the agent started: %s", user.get("/agent/runs/" + run).body())
                .exists();

        String agentEnv = Files.readString(workspace.resolve("agent-env.txt"));
        String setupEnv = Files.readString(workspace.resolve("setup-env.txt"));
        // the environment secret is given, as asked; the git secret is not, under any name
        assertThat(agentEnv).contains("VISIBLE_TOKEN=" + visible).contains("DROVER_RUN_ID=" + run)
                .doesNotContain(TEAM_TOKEN).doesNotContain("REPO_TOKEN").doesNotContain(WORKER_TOKEN);
        assertThat(setupEnv).contains("VISIBLE_TOKEN=" + visible).doesNotContain(TEAM_TOKEN)
                .doesNotContain(WORKER_TOKEN);
        // nor in the clone: no URL, .git/config or other file of the workspace holds it
        assertThat(filesHolding(workspace, TEAM_TOKEN)).isEmpty();
        assertThat(Files.readString(workspace.resolve("web/.git/config"))).contains(gitHttp.baseUrl() + "/acme/web.git")
                .doesNotContain("@");
        Files.writeString(workspace.resolve("go"), "");

        JsonNode done = awaitEnd(run);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        String branch = "drover/" + run.substring(0, 8);
        assertThat(fileOnBranch("web", branch, "README.md")).isEqualTo("hello, team\n");
        assertThat(gitHttp.requests()).anySatisfy(r -> {
            assertThat(r.path()).isEqualTo("/acme/web.git/git-upload-pack");
            assertThat(r.authorized()).isTrue();
        }).anySatisfy(r -> {
            assertThat(r.path()).isEqualTo("/acme/web.git/git-receive-pack");
            assertThat(r.authorized()).isTrue();
        });
        assertOnlyTheTeamTokenWasSent();

        List<FakeForge.Request> calls = forge.requests().subList(forgeMark, forge.requests().size());
        assertThat(calls).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).endsWith("/repos/acme/web/pulls");
        });
        assertThat(calls).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + TEAM_TOKEN));
        FakeForge.Pull pull = forge.pullRequests().stream().filter(p -> p.head().equals(branch)).findFirst().orElseThrow();
        assertThat(done.get("artifacts").toString()).contains(pull.url());

        // what left the run: the agent's printed environment is there, the git token is not, not even redacted
        // (the redactor never had to hide it: it was never in the agent's reach)
        String conversation = user.get("/agent/runs/" + run + "/conversation").body();
        assertThat(conversation).contains("\"git_credential\":\"secret REPO_TOKEN\"")
                .contains("DROVER_RUN_ID=" + run).contains("[redacted:VISIBLE_TOKEN]")
                .doesNotContain(TEAM_TOKEN).doesNotContain("[redacted:REPO_TOKEN]");
        String everything = conversation + user.get("/agent/runs/" + run + "/transcript").body()
                + user.get("/agent/events?run_ids=" + run + "&limit=500").body() + done
                + user.get("/agent/runs/" + run + "/diff").body();
        assertThat(everything).doesNotContain(TEAM_TOKEN).doesNotContain(WORKER_TOKEN);
    }

    @Test
    void withoutAGitSecretTheRunGetsTheWorkersOwnTokenWhichThisRemoteRefuses() {
        // the control: the same remote, an environment without git_secret — what the secret above made work
        String env = user.createEnvironment(Map.of("name", "worker-git", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "plain"))));
        JsonNode done = awaitEnd(run(env, "true", "default"));
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("FAILED");
        assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("environment_setup_failed");
        assertThat(done.get("status_message").get("message").asText()).contains("acme/plain");
        assertThat(gitHttp.requests()).anySatisfy(r -> {
            assertThat(r.path()).startsWith("/acme/plain.git/");
            assertThat(r.user()).isEqualTo("x-access-token");
            assertThat(r.authorized()).isFalse();
        });
    }

    @Test
    void aRunWhoseGitSecretWasDeletedAfterItWasCreatedFailsBeforeAnythingIsCloned() throws Exception {
        Api.Reply secret = user.post("/secrets", Map.of("name", "SHORT_LIVED_GIT", "value", TEAM_TOKEN));
        assertThat(secret.status()).isEqualTo(201);
        String env = user.createEnvironment(Map.of("name", "gone-git", "git_secret", "SHORT_LIVED_GIT",
                "github_repos", List.of(Map.of("owner", "acme", "repo", "late"))));
        // a pool nobody serves yet holds the run until the secret is gone
        String pool = "late-" + UUID.randomUUID();
        String run = run(env, "touch agent-ran", pool);
        assertThat(user.delete("/secrets/" + secret.json().get("uid").asText()).status()).isEqualTo(200);
        try (Worker late = worker(pool, Files.createTempDirectory("drover-git-cred-late-"))) {
            JsonNode done = awaitEnd(run);
            assertThat(done.get("state").asText()).isEqualTo("FAILED");
            assertThat(done.get("status_message").get("error_code").asText()).isEqualTo("resource_not_found");
            assertThat(done.get("status_message").get("message").asText()).contains("SHORT_LIVED_GIT")
                    .contains("deleted");
            assertThat(done.has("started_at")).isFalse();
        }
        assertThat(gitHttp.requests()).noneMatch(r -> r.path().startsWith("/acme/late.git/"));
    }
}
