package dev.drover.server.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.forge.ForgeKind;
import dev.drover.forge.testing.FakeForge;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The comments Drover posts back, against FakeForge (GitHub's and GitLab's REST APIs on a loopback port): the
 * session link when the run starts and its pull request when it ends, each exactly once, also when the forge fails
 * an attempt; given up after the configured attempts with an event on the run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ForgeCommentsTest {
    private static final AtomicInteger N = new AtomicInteger();
    static final String FORGE_TOKEN = "ghp_forgeTestToken";

    FakeForge github;
    TestServer server;
    ServerConfig config;

    abstract Backend backend();

    @BeforeAll
    void start() {
        github = FakeForge.start(ForgeKind.GITHUB, FORGE_TOKEN);
        Map<String, String> env = new HashMap<>(InboundEventsApiTest.ENV);
        env.put("DROVER_GIT_TOKEN", FORGE_TOKEN);
        env.put("DROVER_FORGE_COMMENT_MAX_ATTEMPTS", "3");
        config = backend().freshConfig().withTeamConcurrency(0).withEnv(env)
                .withForge("github", github.apiBase().toString());
        server = TestServer.start(backend(), config);
    }

    @AfterAll
    void stop() {
        server.close();
        github.close();
    }

    record Issue(Api api, String owner, String repo, long number) {}

    Issue issue() {
        int n = N.incrementAndGet();
        Api api = server.newTenant("comments-" + n);
        String owner = "org" + n;
        api.createEnvironment(Map.of("name", "app", "github_repos", List.of(Map.of("owner", owner, "repo", "app"))));
        github.repo(owner, "app", "main");
        return new Issue(api, owner, "app", github.issue(owner, "app"));
    }

    String trigger(Issue i) {
        String payload = ForgePayloads.githubComment(github.webBase().toString(), i.owner(), i.repo(), (int) i.number(),
                "@drover fix it", "OWNER", false);
        Api.Reply r = server.anonymous().post("/integrations/github/webhook", payload, Map.of(
                "X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", java.util.UUID.randomUUID().toString(),
                "X-Hub-Signature-256", ForgeSignatures.githubSignature(InboundEventsApiTest.SECRET,
                        payload.getBytes(StandardCharsets.UTF_8))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("run_id").asText();
    }

    List<FakeForge.Comment> commentsOn(Issue i) {
        return github.comments().stream().filter(c -> c.owner().equals(i.owner()) && c.number() == i.number()).toList();
    }

    @Test
    void theSessionLinkAndThenThePullRequestArePostedOnceEachAlsoWhenTheForgeFailsTheFirstAttempt() throws Exception {
        Issue issue = issue();
        github.failNext(1, 500);
        String runId = trigger(issue);
        JsonNode run = issue.api().get("/agent/runs/" + runId).json();
        await().atMost(Duration.ofSeconds(20)).until(() -> commentsOn(issue).size() == 1);
        FakeForge.Comment started = commentsOn(issue).getFirst();
        assertThat(started.body()).contains(run.get("session_link").asText()).contains(Comments.MARKER);
        assertThat(started.onPullRequest()).isFalse();
        // the token went to the forge, in GitHub's form
        assertThat(github.requests().stream().filter(r -> r.method().equals("POST")).map(r -> r.header("authorization")))
                .allMatch(h -> h.equals("Bearer " + FORGE_TOKEN));
        await().atMost(Duration.ofSeconds(10)).until(() -> InboundEventsApiTest.eventTypes(issue.api(), runId)
                .contains("forge_comment_posted"));
        JsonNode posted = events(issue.api(), runId, "forge_comment_posted").getFirst();
        assertThat(posted.get("ref_id").asText()).isEqualTo(started.url());
        assertThat(attempts(runId, "started")).as("the 500 was retried").isEqualTo(2);

        // a worker runs it; the agent records the pull request it opened; the run succeeds
        Api worker = server.newWorkerKey("comments-worker-" + N.incrementAndGet());
        Api.Reply registered = worker.post("/workers", Map.of("name", "w", "pool", "default", "slots", 1));
        String workerId = registered.json().get("worker_id").asText();
        Api.Reply claimed = worker.post("/workers/" + workerId + "/claim?wait=5&accept=true", (String) null);
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        assertThat(claimed.json().at("/run/run_id").asText()).isEqualTo(runId);
        String execution = claimed.json().get("execution_id").asText();
        assertThat(worker.post("/agent/events/" + runId, Map.of("event_type", "run_in_progress", "execution_id",
                execution)).status()).isEqualTo(200);
        String pr = github.webBase() + "/" + issue.owner() + "/app/pull/" + (issue.number() + 1);
        Api.Reply artifact = worker.post("/workers/" + workerId + "/runs/" + runId + "/artifacts", Map.of(
                "artifact_type", "PULL_REQUEST", "url", pr, "branch", "drover/fix", "execution_id", execution));
        assertThat(artifact.status()).as(artifact.toString()).isEqualTo(200);
        // recorded later, so the latest: a link off the forge is never posted with the team's account
        Api.Reply elsewhere = worker.post("/workers/" + workerId + "/runs/" + runId + "/artifacts", Map.of(
                "artifact_type", "PULL_REQUEST", "url", "https://evil.example/login", "branch", "drover/fix",
                "execution_id", execution));
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(200);
        github.failNext(1, 502);
        assertThat(worker.post("/agent/events/" + runId, Map.of("event_type", "run_succeeded", "execution_id",
                execution)).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> commentsOn(issue).size() == 2);
        assertThat(commentsOn(issue).get(1).body()).contains(pr).contains("SUCCEEDED").doesNotContain("evil.example");
        await().atMost(Duration.ofSeconds(10)).until(() -> events(issue.api(), runId, "forge_comment_posted").size() == 2);
        Thread.sleep(1000); // passes run every 100 ms: ten chances to post anything twice
        assertThat(commentsOn(issue)).hasSize(2);
        assertThat(events(issue.api(), runId, "forge_comment_posted")).hasSize(2);
        assertThat(attempts(runId, "outcome")).as("the 502 was retried").isEqualTo(2);
    }

    int attempts(String runId, String kind) {
        return server.server().database().readOne(h -> h.createQuery(
                        "SELECT attempts FROM forge_comments WHERE run_id = :r AND kind = :k")
                .bind("r", runId).bind("k", kind).mapTo(Integer.class).one());
    }

    @Test
    void aRunThatEndsWithoutAPullRequestGetsItsStateAndStatusMessage() {
        Issue issue = issue();
        String runId = trigger(issue);
        await().atMost(Duration.ofSeconds(20)).until(() -> commentsOn(issue).size() == 1);
        assertThat(issue.api().post("/agent/runs/" + runId + "/cancel", (String) null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> commentsOn(issue).size() == 2);
        assertThat(commentsOn(issue).get(1).body()).contains("ended CANCELLED").contains("Cancelled by");
    }

    @Test
    void aCommentTheForgeKeepsRefusingIsGivenUpAndTheFailureIsAnEventOnTheRun() {
        Issue issue = issue();
        github.failNext(3, 503);
        String runId = trigger(issue);
        await().atMost(Duration.ofSeconds(20)).until(() -> !events(issue.api(), runId, "forge_comment_failed").isEmpty());
        assertThat(events(issue.api(), runId, "forge_comment_failed").getFirst().get("ref_id").asText())
                .isEqualTo("started");
        assertThat(commentsOn(issue)).isEmpty();
        String error = server.server().database().readOne(h -> h.createQuery(
                        "SELECT last_error FROM forge_comments WHERE run_id = :r AND kind = 'started'")
                .bind("r", runId).mapTo(String.class).one());
        assertThat(error).contains("503").doesNotContain(FORGE_TOKEN);
        issue.api().post("/agent/runs/" + runId + "/cancel", (String) null); // the outcome comment still goes out
        await().atMost(Duration.ofSeconds(20)).until(() -> commentsOn(issue).size() == 1);
        assertThat(commentsOn(issue).getFirst().body()).contains("CANCELLED");
    }

    @Test
    void aCommentOnAnIssueThatIsNotThereFailsAtOnceWithoutRetrying() {
        Issue issue = issue();
        Issue missing = new Issue(issue.api(), issue.owner(), issue.repo(), 9999);
        String runId = trigger(missing);
        await().atMost(Duration.ofSeconds(20)).until(() -> !events(issue.api(), runId, "forge_comment_failed").isEmpty());
        assertThat(attempts(runId, "started")).isEqualTo(1); // a 404 is not retried
        issue.api().post("/agent/runs/" + runId + "/cancel", (String) null);
    }

    @Test
    void onGitLabTheCommentsGoToTheMergeRequestAsNotesAndAGitHubEventIsRecordedSkipped() {
        try (FakeForge gitlab = FakeForge.start(ForgeKind.GITLAB, "glpat-test");
                TestServer node = TestServer.start(backend(), backend().freshConfig().withEnv(withToken("glpat-test"))
                        .withForge("gitlab", gitlab.apiBase().toString()))) {
            Api api = node.newTenant("gitlab-comments");
            api.createEnvironment(Map.of("name", "app", "github_repos", List.of(Map.of("owner", "group", "repo", "app"))));
            gitlab.repo("group", "app", "main");
            FakeForge.Pull mr = gitlab.pullRequest("group", "app", "group", "feature", "main", "Feature");
            String note = ForgePayloads.gitlabNote("group/app", (int) mr.number(), "@drover review this", "root", true);
            Api.Reply r = node.anonymous().post("/integrations/gitlab/webhook", note, Map.of("X-Gitlab-Event", "Note Hook",
                    "X-Gitlab-Token", InboundEventsApiTest.GITLAB_TOKEN, "X-Gitlab-Event-UUID", java.util.UUID.randomUUID().toString()));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(20)).until(() -> gitlab.comments().size() == 1);
            FakeForge.Comment posted = gitlab.comments().getFirst();
            assertThat(posted.onPullRequest()).isTrue();
            assertThat(posted.number()).isEqualTo(mr.number());
            assertThat(posted.body()).contains("/sessions/");

            // comments go only to the configured forge: a GitHub event's are recorded as skipped
            api.createEnvironment(Map.of("name", "gh", "github_repos", List.of(Map.of("owner", "gh", "repo", "app"))));
            String payload = ForgePayloads.githubComment("gh", "app", 1, "@drover", "OWNER", false);
            Api.Reply gh = node.anonymous().post("/integrations/github/webhook", payload, Map.of(
                    "X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", "d-1", "X-Hub-Signature-256",
                    ForgeSignatures.githubSignature(InboundEventsApiTest.SECRET, payload.getBytes(StandardCharsets.UTF_8))));
            String ghRun = gh.json().get("run_id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> !events(api, ghRun, "forge_comment_skipped").isEmpty());
            assertThat(gitlab.comments()).hasSize(1);
        }
    }

    private static Map<String, String> withToken(String token) {
        Map<String, String> env = new HashMap<>(InboundEventsApiTest.ENV);
        env.put("DROVER_GIT_TOKEN", token);
        return env;
    }

    static List<JsonNode> events(Api api, String runId, String type) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/agent/events?run_ids=" + runId).json().forEach(e -> {
            if (e.get("event_type").asText().equals(type)) {
                out.add(e);
            }
        });
        return out;
    }
}
