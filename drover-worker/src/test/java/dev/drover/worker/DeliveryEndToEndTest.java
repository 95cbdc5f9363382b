package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.client.DroverClient;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.GitHttpServer;
import dev.drover.server.testing.TestServer;
import dev.drover.forge.ForgeKind;
import dev.drover.forge.testing.FakeForge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs hand their work back, end to end: a real server, a real worker running the command harness in a cloned
 * repository, and real remotes — a directory of bare repositories (file://) and git's own smart-HTTP server that
 * checks the worker's token. The run ends SUCCEEDED with its branch pushed, its diff kept by the server after the
 * workspace is gone, and a refused push recorded on the run without losing the commit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeliveryEndToEndTest {
    static final String GIT_TOKEN = "ghp_deliveryTokenThatMustNeverLeak";
    BareRepos repos;
    GitHttpServer gitHttp;
    /** A GitHub in front of the file:// source, a GitLab in front of the smart-HTTP one, and a Gitea. */
    Side file;
    Side http;
    Side gitea;
    Map<String, String> bases = new HashMap<>();

    /** A server whose git base URL is one of the remotes, and its worker. */
    record Side(TestServer server, Worker worker, Api user, Path work, FakeForge forge, String workerKey)
            implements AutoCloseable {
        @Override
        public void close() {
            worker.close();
            server.close();
            forge.close();
        }
    }

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        repos = new BareRepos(Files.createTempDirectory("drover-remotes-"));
        for (String repo : List.of("web", "quiet", "locked", "site")) {
            bases.put(repo, repos.create("acme", repo, Map.of("README.md", "hello\n", "gone.txt", "bye\n")));
        }
        // the remote refuses every push to this one, as a protected repository would
        Path hook = repos.root().resolve("acme/locked.git/hooks/pre-receive");
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n");
        hook.toFile().setExecutable(true, false);
        gitHttp = GitHttpServer.start(repos.root(), GIT_TOKEN);
        file = side(repos.root().toUri().toString(), ForgeKind.GITHUB);
        http = side(gitHttp.baseUrl(), ForgeKind.GITLAB);
        gitea = side(repos.root().toUri().toString(), ForgeKind.GITEA);
    }

    private Side side(String gitBase, ForgeKind kind) throws IOException {
        FakeForge forge = FakeForge.start(kind, GIT_TOKEN);
        for (String repo : bases.keySet()) {
            forge.repo("acme", repo, "main");
        }
        TestServer server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withGitBaseUrl(gitBase).withForge(kind.name().toLowerCase(java.util.Locale.ROOT),
                        forge.apiBase().toString()));
        Api key = server.newWorkerKey("delivery-" + UUID.randomUUID());
        Path work = Files.createTempDirectory("drover-work-");
        Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "delivery", "default", 1, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()), Map.of("DROVER_GIT_TOKEN", GIT_TOKEN),
                Duration.ofSeconds(3)).withIsolation(IsolationSettings.of("none"))).start();
        return new Side(server, worker, server.admin(), work, forge, key.key());
    }

    @AfterAll
    void stop() {
        file.close();
        http.close();
        gitea.close();
        gitHttp.close();
    }

    /** How many requests each run's forge had seen when the run was created. */
    final Map<String, Integer> forgeMarks = new java.util.concurrent.ConcurrentHashMap<>();

    private String run(Side side, String repo, String command, String title) {
        int mark = side.forge().requests().size();
        String env = side.user().createEnvironment(Map.of("name", "env-" + UUID.randomUUID(),
                "github_repos", List.of(Map.of("owner", "acme", "repo", repo))));
        Api.Reply r = side.user().post("/agent/runs", Map.of("prompt", "work", "title", title, "config",
                Map.of("environment_id", env, "harness", Map.of("type", "command", "command", command))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        forgeMarks.put(r.json().get("run_id").asText(), mark);
        return r.json().get("run_id").asText();
    }

    private static JsonNode awaitState(Side side, String run, String state) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode now = side.user().get("/agent/runs/" + run).json();
            assertThat(now.get("state").asText()).as(now.toString()).isEqualTo(state);
        });
        return side.user().get("/agent/runs/" + run).json();
    }

    private static void awaitWorkspaceRemoved(Side side, String run) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                !side.user().get("/agent/runs/" + run).json().get("is_sandbox_running").asBoolean());
        assertThat(side.work().resolve(run)).doesNotExist();
    }

    /** The names of the run's transcript events, in order. */
    private static List<JsonNode> transcriptEvents(Side side, String run) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : side.user().get("/agent/runs/" + run + "/conversation").json().get("steps").get(0)
                .get("messages")) {
            for (JsonNode b : m.get("content")) {
                if (b.get("type").asText().equals("event")) {
                    out.add(b);
                }
            }
        }
        return out;
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.get("name").asText()).toList();
    }

    private List<String> runEvents(Side side, String run) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : side.user().get("/agent/events?run_ids=" + run + "&limit=500").json()) {
            out.add(e.get("event_type").asText() + (e.hasNonNull("ref_id") ? ":" + e.get("ref_id").asText() : ""));
        }
        return out;
    }

    /** path → content of a branch in a remote repository. */
    private Map<String, String> branchFiles(String repo, String branch) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Repository r = new FileRepositoryBuilder().setGitDir(repos.root().resolve("acme/" + repo + ".git")
                .toFile()).build(); RevWalk walk = new RevWalk(r); TreeWalk t = new TreeWalk(r)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            assertThat(id).as("branch %s of acme/%s", branch, repo).isNotNull();
            t.addTree(walk.parseCommit(id).getTree());
            t.setRecursive(true);
            while (t.next()) {
                out.put(t.getPathString(), new String(r.open(t.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private RevCommit branchHead(String repo, String branch) throws IOException {
        try (Repository r = new FileRepositoryBuilder().setGitDir(repos.root().resolve("acme/" + repo + ".git")
                .toFile()).build(); RevWalk walk = new RevWalk(r)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            return id == null ? null : walk.parseCommit(id);
        }
    }

    /**
     * The requests the side's forge got about {@code acme/repo} for {@code run}, as "METHOD path": those after the
     * run was created (runs of one side are delivered one after the other).
     */
    private List<String> forgeCalls(Side side, String repo, String run) {
        String project = side.forge().kind() == ForgeKind.GITLAB ? "/projects/acme%2F" + repo : "/repos/acme/" + repo;
        List<FakeForge.Request> all = side.forge().requests();
        return all.subList(forgeMarks.getOrDefault(run, 0), all.size()).stream()
                .filter(r -> r.path().endsWith(project) || r.path().contains(project + "/"))
                .map(r -> r.method() + " " + r.path().substring(r.path().indexOf(project)))
                .toList();
    }

    /**
     * The run has exactly one pull request, opened against the default branch with the forge's documented request,
     * and exactly one PULL_REQUEST artifact pointing at the URL the forge answered.
     */
    private void assertPullRequest(Side side, String run, String repo, String title, boolean draft) {
        String branch = "drover/" + run.substring(0, 8);
        List<FakeForge.Pull> pulls = side.forge().pullRequests().stream()
                .filter(p -> p.repo().equals(repo) && p.head().equals(branch)).toList();
        assertThat(pulls).hasSize(1);
        FakeForge.Pull pull = pulls.getFirst();
        assertThat(pull.base()).isEqualTo("main");
        assertThat(pull.draft()).isEqualTo(draft);
        assertThat(pull.body()).contains("Drover run `" + run + "`")
                .contains(side.user().get("/agent/runs/" + run).json().get("session_link").asText());

        String project = side.forge().kind() == ForgeKind.GITLAB ? "/projects/acme%2F" + repo : "/repos/acme/" + repo;
        String pullsPath = project + (side.forge().kind() == ForgeKind.GITLAB ? "/merge_requests" : "/pulls");
        assertThat(forgeCalls(side, repo, run)).containsExactly("GET " + pullsPath, "GET " + project, "POST " + pullsPath);
        List<FakeForge.Request> all = side.forge().requests();
        FakeForge.Request post = all.subList(forgeMarks.get(run), all.size()).stream()
                .filter(r -> r.method().equals("POST") && r.path().endsWith(pullsPath)).findFirst().orElseThrow();
        JsonNode body = post.json();
        switch (side.forge().kind()) {
            case GITHUB -> {
                assertThat(post.header("Authorization")).isEqualTo("Bearer " + GIT_TOKEN);
                assertThat(body.get("head").asText()).isEqualTo(branch);
                assertThat(body.get("base").asText()).isEqualTo("main");
                assertThat(body.get("title").asText()).isEqualTo(title);
                assertThat(body.get("draft").asBoolean()).isEqualTo(draft);
                assertThat(body.get("body").asText()).isEqualTo(pull.body());
            }
            case GITLAB -> {
                assertThat(post.header("PRIVATE-TOKEN")).isEqualTo(GIT_TOKEN);
                assertThat(body.get("source_branch").asText()).isEqualTo(branch);
                assertThat(body.get("target_branch").asText()).isEqualTo("main");
                assertThat(body.get("title").asText()).isEqualTo(draft ? "Draft: " + title : title);
                assertThat(body.get("description").asText()).isEqualTo(pull.body());
            }
            case GITEA -> {
                assertThat(post.header("Authorization")).isEqualTo("token " + GIT_TOKEN);
                assertThat(body.get("head").asText()).isEqualTo(branch);
                assertThat(body.get("base").asText()).isEqualTo("main");
                assertThat(body.get("title").asText()).isEqualTo(draft ? "WIP: " + title : title);
                assertThat(body.get("body").asText()).isEqualTo(pull.body());
            }
        }
        assertPullRequestArtifact(side, run, repo, pull.url(), title);
        List<String> events = runEvents(side, run).stream().map(e -> e.replaceFirst(":.*", "")).toList();
        assertThat(events.indexOf("artifact_created")).as("the pull request is recorded before the run ends")
                .isNotNegative().isLessThan(events.lastIndexOf(draft ? "run_failed" : "run_succeeded"));
    }

    private static void assertPullRequestArtifact(Side side, String run, String repo, String url, String title) {
        List<JsonNode> prs = new ArrayList<>();
        side.user().get("/agent/runs/" + run).json().get("artifacts").forEach(a -> {
            if (a.get("artifact_type").asText().equals("PULL_REQUEST")) {
                prs.add(a.get("data"));
            }
        });
        assertThat(prs).hasSize(1);
        assertThat(prs.getFirst().get("url").asText()).isEqualTo(url);
        assertThat(prs.getFirst().get("branch").asText()).isEqualTo("drover/" + run.substring(0, 8));
        assertThat(prs.getFirst().get("repository").asText()).isEqualTo("acme/" + repo);
        if (title != null) {
            assertThat(prs.getFirst().get("title").asText()).isEqualTo(title);
        }
    }

    private static final String EDIT = "cd web && printf 'hello, world\\n' > README.md && echo fresh > new.txt && rm gone.txt";

    private void assertDelivered(Side side, String run, String repo) throws IOException {
        String branch = "drover/" + run.substring(0, 8);
        assertThat(branchFiles(repo, branch)).containsOnly(Map.entry("README.md", "hello, world\n"),
                Map.entry("new.txt", "fresh\n"));
        RevCommit head = branchHead(repo, branch);
        assertThat(head.getParent(0).name()).isEqualTo(bases.get(repo));
        assertThat(head.getShortMessage()).isEqualTo("Drover run " + run + ": Greet the world");

        JsonNode diff = side.user().get("/agent/runs/" + run + "/diff").json().get("repos");
        assertThat(diff).hasSize(1);
        JsonNode d = diff.get(0);
        assertThat(d.get("repository").asText()).isEqualTo("acme/" + repo);
        assertThat(d.get("base_commit").asText()).isEqualTo(bases.get(repo));
        assertThat(d.get("head_commit").asText()).isEqualTo(head.name());
        assertThat(d.get("branch").asText()).isEqualTo(branch);
        assertThat(d.get("files_changed").asInt()).isEqualTo(3);
        assertThat(d.get("insertions").asInt()).isEqualTo(2);
        assertThat(d.get("deletions").asInt()).isEqualTo(2);
        assertThat(d.get("truncated").asBoolean()).isFalse();
        assertThat(d.get("pushed").asBoolean()).isTrue();
        assertThat(d.has("delivery_error")).isFalse();
        assertThat(d.get("diff").asText()).contains("-hello\n+hello, world\n", "+++ b/new.txt", "--- a/gone.txt");
        assertThat(names(transcriptEvents(side, run))).containsSubsequence("repository_cloned", "changes_committed",
                "branch_pushed");
        // delivered before the end was reported: whoever sees SUCCEEDED sees the delivery
        List<String> events = runEvents(side, run);
        assertThat(events).containsSubsequence("changes_delivered:acme/" + repo, "run_succeeded");
    }

    @Test
    void aRunsChangesArePushedToAFileSourceAndItsDiffOutlivesTheWorkspace() throws Exception {
        String run = run(file, "web", EDIT, "Greet the world");
        awaitState(file, run, "SUCCEEDED");
        assertDelivered(file, run, "web");
        assertPullRequest(file, run, "web", "Greet the world", false);
        String json = file.user().get("/agent/runs/" + run + "/diff").json().get("repos").get(0).get("diff").asText();

        awaitWorkspaceRemoved(file, run);
        assertThat(file.work().resolve(Delivery.PRIVATE_DIR).resolve(run)).doesNotExist();
        assertThat(file.user().get("/agent/runs/" + run + "/diff").json().get("repos").get(0).get("diff").asText())
                .isEqualTo(json);
        Api.Reply patch = file.user().get("/agent/runs/" + run + "/diff?format=patch");
        assertThat(patch.header("content-type")).startsWith("text/x-diff");
        assertThat(patch.body()).isEqualTo(json);
        DroverClient client = new DroverClient(file.server().apiBaseUrl(), TestServer.ADMIN_KEY);
        assertThat(client.patch(run)).isEqualTo(json);
        assertThat(client.diff(run).repos().getFirst().headCommit()).isEqualTo(branchHead("web",
                "drover/" + run.substring(0, 8)).name());
    }

    @Test
    void aRunsChangesArePushedOverSmartHttpWithTheWorkersTokenThatNeverReachesTheRun() throws Exception {
        String run = run(http, "site", EDIT.replace("cd web", "cd site"), "Greet the world");
        awaitState(http, run, "SUCCEEDED");
        assertDelivered(http, run, "site");
        assertPullRequest(http, run, "site", "Greet the world", false);
        assertThat(gitHttp.requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/acme/site.git/git-receive-pack");
            assertThat(r.user()).isEqualTo("x-access-token");
            assertThat(r.authorized()).isTrue();
        });
        assertThat(http.user().get("/agent/runs/" + run + "/conversation").body()).doesNotContain(GIT_TOKEN);
        assertThat(http.user().get("/agent/runs/" + run + "/diff").body()).doesNotContain(GIT_TOKEN);
    }

    @Test
    void aPushTheRemoteRefusesIsRecordedOnTheRunAndTheCommitIsKept() throws Exception {
        String run = run(http, "locked", EDIT.replace("cd web", "cd locked"), "Greet the world");
        awaitState(http, run, "SUCCEEDED");
        String branch = "drover/" + run.substring(0, 8);
        assertThat(branchHead("locked", branch)).as("the remote refused it").isNull();
        JsonNode d = http.user().get("/agent/runs/" + run + "/diff").json().get("repos").get(0);
        assertThat(d.get("pushed").asBoolean()).isFalse();
        assertThat(d.get("delivery_error").asText()).contains("refused", branch);
        assertThat(d.get("diff").asText()).contains("+hello, world");
        assertThat(forgeCalls(http, "locked", run)).as("no pull request for a branch that is not there").isEmpty();
        assertThat(runEvents(http, run)).containsSubsequence("delivery_failed:acme/locked", "run_succeeded");
        List<JsonNode> events = transcriptEvents(http, run);
        assertThat(names(events)).containsSubsequence("changes_committed", "push_failed");
        // the commit stays on the branch in the worker's copy of the repository while the workspace is kept
        Path copy = Delivery.privateCopy(http.work(), run, "locked");
        try (Repository r = new FileRepositoryBuilder().setGitDir(copy.toFile()).build()) {
            assertThat(r.resolve(Constants.R_HEADS + branch).name()).isEqualTo(d.get("head_commit").asText());
        }
    }

    @Test
    void aRunsChangesBecomeAPullRequestOnGitea() throws Exception {
        String run = run(gitea, "web", EDIT, "Greet the world");
        awaitState(gitea, run, "SUCCEEDED");
        assertDelivered(gitea, run, "web");
        assertPullRequest(gitea, run, "web", "Greet the world", false);
    }

    /** A command that edits README.md of {@code repo}, says it started and waits until the test lets it finish. */
    private static String editAndWait(String repo) {
        return "cd " + repo + " && echo changed > README.md && touch ../started && "
                + "while [ ! -f ../go ]; do sleep 0.05; done";
    }

    private static void awaitStarted(Side side, String run) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(side.work().resolve(run)
                .resolve("started")));
    }

    private static void letFinish(Side side, String run) throws IOException {
        Files.writeString(side.work().resolve(run).resolve("go"), "");
    }

    @Test
    void aPullRequestTheAgentAlreadyReportedIsNotOpenedAgainNorRecordedTwice() throws Exception {
        String run = run(file, "quiet", editAndWait("quiet"), "Agent opens its own");
        awaitStarted(file, run);
        String branch = "drover/" + run.substring(0, 8);
        String url = file.forge().webBase() + "/acme/quiet/pull/4242";
        // what the agent's create_artifact tool sends on its behalf: a PULL_REQUEST for the run's branch
        Api worker = new Api(file.server().apiBaseUrl(), file.workerKey());
        assertThat(worker.post("/workers/" + file.worker().workerId() + "/runs/" + run + "/artifacts",
                Map.of("artifact_type", "PULL_REQUEST", "url", url, "branch", branch)).status()).isEqualTo(200);
        letFinish(file, run);
        awaitState(file, run, "SUCCEEDED");

        assertThat(file.forge().pullRequests()).noneMatch(p -> p.head().equals(branch));
        assertThat(forgeCalls(file, "quiet", run)).as("the forge was not asked at all").isEmpty();
        assertThat(branchHead("quiet", branch)).as("the branch is still pushed").isNotNull();
        List<JsonNode> prs = new ArrayList<>();
        file.user().get("/agent/runs/" + run).json().get("artifacts").forEach(a -> {
            if (a.get("artifact_type").asText().equals("PULL_REQUEST")) {
                prs.add(a.get("data"));
            }
        });
        assertThat(prs).hasSize(1);
        assertThat(prs.getFirst().get("url").asText()).isEqualTo(url);
        assertThat(transcriptEvents(file, run)).anySatisfy(e -> {
            assertThat(e.get("name").asText()).isEqualTo("pull_request");
            assertThat(e.get("data").get("how").asText()).isEqualTo("already_recorded");
        });
    }

    @Test
    void aPullRequestAlreadyOpenForTheBranchIsReusedAndRecordedOnce() throws Exception {
        String run = run(gitea, "quiet", editAndWait("quiet"), "Someone opened it");
        awaitStarted(gitea, run);
        String branch = "drover/" + run.substring(0, 8);
        // opened on the forge by the agent's own CLI (never reported), or by an earlier execution of the run
        FakeForge.Pull existing = gitea.forge().pullRequest("acme", "quiet", "acme", branch, "main", "By hand");
        letFinish(gitea, run);
        awaitState(gitea, run, "SUCCEEDED");
        assertThat(gitea.forge().pullRequests().stream().filter(p -> p.head().equals(branch))).hasSize(1);
        assertThat(forgeCalls(gitea, "quiet", run)).containsExactly("GET /repos/acme/quiet/pulls");
        assertPullRequestArtifact(gitea, run, "quiet", existing.url(), "Someone opened it");
    }

    @Test
    void aFailedRunIsDeliveredAsADraftOnlyWhenItsRunOrEnvironmentAsksForIt() throws Exception {
        String failing = "cd web && printf 'hello, world\\n' > README.md && echo fresh > new.txt && rm gone.txt && exit 3";
        String env = file.user().createEnvironment(Map.of("name", "env-" + UUID.randomUUID(),
                "github_repos", List.of(Map.of("owner", "acme", "repo", "web"))));
        String plain = start(file, env, failing, "Greet the world", null);
        awaitState(file, plain, "FAILED");
        assertThat(branchHead("web", "drover/" + plain.substring(0, 8))).isNull();
        assertThat(file.user().get("/agent/runs/" + plain + "/diff").json().get("repos")).isEmpty();

        String asked = start(file, env, failing, "Greet the world", true);
        awaitState(file, asked, "FAILED");
        assertThat(branchFiles("web", "drover/" + asked.substring(0, 8))).containsEntry("new.txt", "fresh\n");
        assertPullRequest(file, asked, "web", "Greet the world", true);

        String drafts = file.user().createEnvironment(Map.of("name", "env-" + UUID.randomUUID(),
                "github_repos", List.of(Map.of("owner", "acme", "repo", "web")), "deliver_on_failure", true));
        assertThat(file.user().get("/agent/environments/" + drafts).json().get("config").get("deliver_on_failure")
                .asBoolean()).isTrue();
        String byEnvironment = start(file, drafts, failing, "Greet the world", null);
        awaitState(file, byEnvironment, "FAILED");
        assertPullRequest(file, byEnvironment, "web", "Greet the world", true);
        String optedOut = start(file, drafts, failing, "Greet the world", false);
        awaitState(file, optedOut, "FAILED");
        assertThat(branchHead("web", "drover/" + optedOut.substring(0, 8))).as("the run's own false wins").isNull();
    }

    private String start(Side side, String env, String command, String title, Boolean deliverOnFailure) {
        int mark = side.forge().requests().size();
        Map<String, Object> config = new HashMap<>(Map.of("environment_id", env,
                "harness", Map.of("type", "command", "command", command)));
        if (deliverOnFailure != null) {
            config.put("deliver_on_failure", deliverOnFailure);
        }
        Api.Reply r = side.user().post("/agent/runs", Map.of("prompt", "work", "title", title, "config", config));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        forgeMarks.put(r.json().get("run_id").asText(), mark);
        return r.json().get("run_id").asText();
    }

    @Test
    void deliverOnFailureMustBeABooleanOnRunsAndEnvironments() {
        Api.Reply run = file.user().post("/agent/runs", Map.of("prompt", "x", "config",
                Map.of("deliver_on_failure", "yes")));
        assertThat(run.status()).isEqualTo(400);
        assertThat(run.json().get("detail").asText()).contains("deliver_on_failure");
        Api.Reply env = file.user().post("/agent/environments", Map.of("name", "bad", "deliver_on_failure", 1));
        assertThat(env.status()).isEqualTo(400);
        assertThat(env.json().get("detail").asText()).contains("deliver_on_failure");
    }

    @Test
    void aPullRequestTheForgeRefusesIsRecordedOnTheRunWithTheBranchPushed() throws Exception {
        String run = run(http, "quiet", editAndWait("quiet"), "Forge is down");
        awaitStarted(http, run);
        http.forge().failNext(10, 503);
        letFinish(http, run);
        awaitState(http, run, "SUCCEEDED");
        String branch = "drover/" + run.substring(0, 8);
        assertThat(branchHead("quiet", branch)).isNotNull();
        JsonNode d = http.user().get("/agent/runs/" + run + "/diff").json().get("repos").get(0);
        assertThat(d.get("pushed").asBoolean()).isTrue();
        assertThat(d.get("delivery_error").asText()).contains("pull request could not be opened");
        assertThat(runEvents(http, run)).containsSubsequence("delivery_failed:acme/quiet", "run_succeeded");
        assertThat(names(transcriptEvents(http, run))).containsSubsequence("branch_pushed", "pull_request_failed");
        assertThat(http.user().get("/agent/runs/" + run + "/conversation").body()).doesNotContain(GIT_TOKEN);
    }

    @Test
    void changesHoldingTheValueOfARunsSecretAreNotPushedAndTheirDiffIsRedacted() throws Exception {
        String value = "npm_" + UUID.randomUUID().toString().replace("-", "");
        assertThat(file.user().post("/secrets", Map.of("name", "NPM_TOKEN", "value", value)).status()).isEqualTo(201);
        String env = file.user().createEnvironment(Map.of("name", "env-" + UUID.randomUUID(), "secrets",
                List.of("NPM_TOKEN"), "github_repos", List.of(Map.of("owner", "acme", "repo", "web"))));
        String run = start(file, env, "cd web && echo \"//registry/:_authToken=$NPM_TOKEN\" > .npmrc && echo x > a.txt",
                "Configure npm", null);
        awaitState(file, run, "SUCCEEDED");
        String branch = "drover/" + run.substring(0, 8);
        assertThat(branchHead("web", branch)).as("the secret never reached the remote").isNull();
        JsonNode d = file.user().get("/agent/runs/" + run + "/diff").json().get("repos").get(0);
        assertThat(d.get("pushed").asBoolean()).isFalse();
        assertThat(d.get("delivery_error").asText()).contains("secrets", ".npmrc").doesNotContain("a.txt");
        assertThat(d.get("diff").asText()).contains("+//registry/:_authToken=[redacted:NPM_TOKEN]");
        assertThat(file.user().get("/agent/runs/" + run + "/diff").body()).doesNotContain(value);
        assertThat(file.user().get("/agent/runs/" + run + "/conversation").body()).doesNotContain(value);
        assertThat(forgeCalls(file, "web", run)).as("no pull request either").isEmpty();
        assertThat(runEvents(file, run)).containsSubsequence("delivery_failed:acme/web", "run_succeeded");
    }

    @Test
    void aFollowUpTurnPushesToTheSameBranchAndReusesItsPullRequest() throws Exception {
        String run = run(file, "web", "cd web && cat >> notes.txt && echo >> notes.txt", "Keep notes");
        awaitState(file, run, "SUCCEEDED");
        String branch = "drover/" + run.substring(0, 8);
        RevCommit first = branchHead("web", branch);
        assertPullRequest(file, run, "web", "Keep notes", false);
        String url = file.forge().pullRequests().stream().filter(p -> p.head().equals(branch)).findFirst()
                .orElseThrow().url();

        forgeMarks.put(run, file.forge().requests().size());
        Api.Reply followed = file.user().post("/agent/runs/" + run + "/followups", Map.of("message", "second turn"));
        assertThat(followed.status()).as(followed.toString()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                runEvents(file, run).stream().filter(e -> e.equals("run_succeeded")).count() == 2);
        RevCommit second = branchHead("web", branch);
        assertThat(second).isNotEqualTo(first);
        assertThat(second.getParent(0).name()).as("still one commit on the cloned one").isEqualTo(bases.get("web"));
        assertThat(branchFiles("web", branch).get("notes.txt")).contains("work").contains("second turn");
        assertThat(file.forge().pullRequests().stream().filter(p -> p.head().equals(branch))).hasSize(1);
        assertThat(forgeCalls(file, "web", run)).as("the run's pull request artifact names it: the forge is not asked")
                .isEmpty();
        assertPullRequestArtifact(file, run, "web", url, "Keep notes");
        JsonNode d = file.user().get("/agent/runs/" + run + "/diff").json().get("repos").get(0);
        assertThat(d.get("head_commit").asText()).isEqualTo(second.name());
        assertThat(d.get("pushed").asBoolean()).isTrue();
        assertThat(runEvents(file, run).stream().filter(e -> e.equals("changes_delivered:acme/web"))).hasSize(2);
    }

    @Test
    void aRunWithoutChangesMakesNoBranchAndHasAnEmptyDiff() throws Exception {
        String run = run(file, "quiet", "cat quiet/README.md", "Only look");
        awaitState(file, run, "SUCCEEDED");
        assertThat(branchHead("quiet", "drover/" + run.substring(0, 8))).isNull();
        assertThat(file.user().get("/agent/runs/" + run + "/diff").json().get("repos")).isEmpty();
        assertThat(file.user().get("/agent/runs/" + run + "/diff?format=patch").body()).isEmpty();
        assertThat(names(transcriptEvents(file, run))).contains("no_changes").doesNotContain("changes_committed");
    }

    @Test
    void theDiffOfAForeignOrUnknownRunIsNotFoundAndABadFormatIsNamed() {
        String run = run(file, "quiet", "true", "Nothing");
        awaitState(file, run, "SUCCEEDED");
        Api stranger = file.server().newTenant("stranger-" + UUID.randomUUID());
        assertThat(stranger.get("/agent/runs/" + run + "/diff").status()).isEqualTo(404);
        assertThat(stranger.get("/agent/runs/" + run + "/diff?format=patch").status()).isEqualTo(404);
        assertThat(file.user().get("/agent/runs/" + UUID.randomUUID() + "/diff").status()).isEqualTo(404);
        Api.Reply bad = file.user().get("/agent/runs/" + run + "/diff?format=zip");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).contains("format");
    }

    @Test
    void aWorkersDeliveryReportIsCheckedFieldByFieldAndOnlyFromTheRunsHolder() {
        Api key = file.server().newWorkerKey("other-" + UUID.randomUUID());
        String worker = key.post("/workers", Map.of("name", "other")).json().get("worker_id").asText();
        String run = run(file, "quiet", "true", "Nothing");
        awaitState(file, run, "SUCCEEDED");
        String good = "0123456789abcdef0123456789abcdef01234567";
        Map<String, Object> body = new HashMap<>(Map.of("repository", "acme/quiet", "base_commit", good,
                "head_commit", good, "branch", "drover/x", "files_changed", 1, "insertions", 1, "deletions", 0,
                "truncated", false, "diff", "", "pushed", true));
        String path = "/workers/" + worker + "/runs/" + run + "/deliveries";
        assertThat(key.post(path, body).status()).as("not this worker's run").isEqualTo(404);
        for (var bad : List.of(Map.entry("base_commit", (Object) "HEAD"), Map.entry("branch", "a..b"),
                Map.entry("repository", "../etc"), Map.entry("insertions", -1), Map.entry("pushed", "yes"))) {
            Map<String, Object> b = new HashMap<>(body);
            b.put(bad.getKey(), bad.getValue());
            Api.Reply r = key.post(path, b);
            assertThat(r.status()).as(bad.toString()).isEqualTo(400);
            assertThat(r.json().get("detail").asText()).contains(bad.getKey());
        }
        assertThat(file.user().post(path, body).status()).as("a user key").isEqualTo(403);
    }
}
