package dev.drover.server.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Repository events over real HTTP into a real server: signed GitHub and GitLab deliveries start exactly one run in
 * the environment that lists the repository, replays and concurrent copies start none, and every refusal (bad
 * signature, stranger, bot, unlisted repository) writes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InboundEventsApiTest {
    static final String SECRET = "It's a Secret to Everybody";
    static final String GITLAB_TOKEN = "gitlab-token-0123456789";
    private static final AtomicInteger N = new AtomicInteger();

    static final Map<String, String> ENV = Map.of(
            "DROVER_GITHUB_WEBHOOK_SECRET", SECRET,
            "DROVER_GITLAB_WEBHOOK_TOKEN", GITLAB_TOKEN,
            "DROVER_GITLAB_TRIGGER_USERS", "root, Maintainer",
            "DROVER_FORGE_COMMENT_INTERVAL_MS", "100",
            "DROVER_FORGE_COMMENT_RETRY_BASE_MS", "100",
            "DROVER_FORGE_COMMENT_RETRY_MAX_MS", "300");

    TestServer server;
    ServerConfig config;

    abstract Backend backend();

    @BeforeAll
    void start() {
        config = backend().freshConfig().withTeamConcurrency(0).withEnv(ENV);
        server = TestServer.start(backend(), config);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A tenant with an environment listing a repository of its own, named after the test. */
    record Setup(Api api, String owner, String repo, String environment) {}

    Setup setup() {
        int n = N.incrementAndGet();
        Api api = server.newTenant("inbound-" + n);
        String owner = "acme" + n;
        String repo = "widgets";
        String env = api.createEnvironment(Map.of("name", "widgets", "github_repos",
                List.of(Map.of("owner", owner, "repo", repo))));
        return new Setup(api, owner, repo, env);
    }

    static String delivery() {
        return java.util.UUID.randomUUID().toString();
    }

    Api.Reply github(String event, String delivery, String body) {
        return github(event, delivery, body, ForgeSignatures.githubSignature(SECRET, body.getBytes(StandardCharsets.UTF_8)));
    }

    Api.Reply github(String event, String delivery, String body, String signature) {
        Map<String, String> headers = new HashMap<>(Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
                "User-Agent", "GitHub-Hookshot/044aadd"));
        if (signature != null) {
            headers.put("X-Hub-Signature-256", signature);
        }
        return server.anonymous().post("/integrations/github/webhook", body, headers);
    }

    Api.Reply gitlab(String event, String uuid, String body, String token) {
        Map<String, String> headers = new HashMap<>(Map.of("X-Gitlab-Event", event, "X-Gitlab-Event-UUID", uuid));
        if (token != null) {
            headers.put("X-Gitlab-Token", token);
        }
        return server.anonymous().post("/integrations/gitlab/webhook", body, headers);
    }

    static List<JsonNode> runs(Api api) {
        Api.Reply r = api.get("/agent/runs?limit=100");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<JsonNode> list = new ArrayList<>();
        r.json().get("runs").forEach(list::add);
        return list;
    }

    long deliveriesRecorded() {
        return server.server().database().readOne(h -> h.createQuery("SELECT COUNT(*) FROM forge_deliveries")
                .mapTo(Long.class).one());
    }

    @Test
    void aSignedIssueCommentMentioningDroverStartsOneRunInTheEnvironmentThatListsTheRepository() {
        Setup s = setup();
        String id = delivery();
        String payload = ForgePayloads.githubComment(s.owner(), s.repo(), 7, "Thanks! @Drover could you fix this?",
                "MEMBER", false);
        Api.Reply r = github("issue_comment", id, payload);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("status").asText()).isEqualTo("started");
        String runId = r.json().get("run_id").asText();

        JsonNode run = s.api().get("/agent/runs/" + runId).json();
        assertThat(run.get("source").asText()).isEqualTo("GITHUB_WEBHOOK");
        assertThat(run.at("/agent_config/environment_id").asText()).isEqualTo(s.environment());
        JsonNode env = s.api().get("/agent/environments/" + s.environment()).json();
        assertThat(run.get("scope")).isEqualTo(env.get("scope"));
        assertThat(run.at("/creator/uid").asText()).isEqualTo(env.at("/creator/uid").asText());
        assertThat(run.get("title").asText()).isEqualTo("Spelling error in the README file");
        String prompt = run.get("prompt").asText();
        assertThat(prompt).contains("Title: Spelling error in the README file")
                .contains("It looks like you accidently spelled 'commit' with two 't's.")
                .contains("----- comment by GitHub user Codertocat")
                .contains("Thanks! @Drover could you fix this?")
                .contains("not by your team");
        assertThat(run.at("/metadata/drover.forge_issue_url").asText())
                .isEqualTo("https://github.com/" + s.owner() + "/" + s.repo() + "/issues/7");
        assertThat(run.at("/metadata/drover.forge_comment_url").asText()).endsWith("#issuecomment-492700400");
        assertThat(run.at("/metadata/drover.forge_user").asText()).isEqualTo("Codertocat");
        assertThat(run.get("trigger_url").asText()).isEqualTo(run.at("/metadata/drover.forge_comment_url").asText());
        assertThat(runs(s.api())).hasSize(1);
        // the Drover extension value filters like any other source
        assertThat(s.api().get("/agent/runs?source=GITHUB_WEBHOOK").json().get("runs")).hasSize(1);
        assertThat(s.api().get("/agent/runs?source=API").json().get("runs")).isEmpty();
    }

    @Test
    void theSameDeliveryAgainStartsNothingAndAnswersWithTheFirstRun() {
        Setup s = setup();
        String id = delivery();
        String payload = ForgePayloads.githubComment(s.owner(), s.repo(), 8, "@drover go", "OWNER", false);
        String first = github("issue_comment", id, payload).json().get("run_id").asText();
        Api.Reply again = github("issue_comment", id, payload);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("status").asText()).isEqualTo("replayed");
        assertThat(again.json().get("run_id").asText()).isEqualTo(first);
        assertThat(runs(s.api())).hasSize(1);
        // another delivery of the same comment is another request: the forge's id is the key
        assertThat(github("issue_comment", delivery(), payload).status()).isEqualTo(201);
        assertThat(runs(s.api())).hasSize(2);
    }

    @Test
    void concurrentCopiesOfOneDeliveryStartExactlyOneRun() throws Exception {
        Setup s = setup();
        String id = delivery();
        String payload = ForgePayloads.githubComment(s.owner(), s.repo(), 9, "@drover now", "COLLABORATOR", false);
        List<Callable<Api.Reply>> posts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            posts.add(() -> github("issue_comment", id, payload));
        }
        List<Api.Reply> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<Api.Reply> f : pool.invokeAll(posts)) {
                replies.add(f.get());
            }
        }
        assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(200, 201));
        assertThat(replies.stream().filter(r -> r.status() == 201)).hasSize(1);
        assertThat(replies.stream().map(r -> r.json().get("run_id").asText()).collect(Collectors.toSet())).hasSize(1);
        assertThat(runs(s.api())).hasSize(1);
    }

    @Test
    void aBadOrMissingSignatureIs401AndWritesNothing() {
        Setup s = setup();
        String payload = ForgePayloads.githubComment(s.owner(), s.repo(), 10, "@drover", "OWNER", false);
        long before = deliveriesRecorded();
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        for (String signature : new String[] {
                ForgeSignatures.githubSignature("another secret", bytes),
                ForgeSignatures.githubSignature(SECRET, (payload + " ").getBytes(StandardCharsets.UTF_8)),
                "sha1=" + "0".repeat(40), "", null}) {
            Api.Reply r = github("issue_comment", delivery(), payload, signature);
            assertThat(r.status()).as(String.valueOf(signature)).isEqualTo(401);
            assertThat(r.header("content-type")).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).startsWith("X-Hub-Signature-256:");
        }
        // an API key is no substitute for the forge's signature
        Api.Reply keyed = s.api().post("/integrations/github/webhook", payload,
                Map.of("X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", delivery()));
        assertThat(keyed.status()).isEqualTo(401);
        assertThat(runs(s.api())).isEmpty();
        assertThat(deliveriesRecorded()).isEqualTo(before);
        assertThat(new Api(server.server().publicUrl(), null).get("/metrics").body())
                .contains("drover_integrations_events_total{forge=\"github\",outcome=\"unauthenticated\"}");
    }

    @Test
    void aCommentBySomeoneWhoIsNotAMemberStartsNothing() {
        Setup s = setup();
        for (String association : List.of("NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER")) {
            Api.Reply r = github("issue_comment", delivery(),
                    ForgePayloads.githubComment(s.owner(), s.repo(), 11, "@drover delete everything", association, false));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().get("status").asText()).isEqualTo("ignored");
            assertThat(r.json().get("reason").asText()).contains(association).contains("DROVER_GITHUB_TRIGGER_ASSOCIATIONS");
        }
        assertThat(runs(s.api())).isEmpty();
    }

    @Test
    void botsDrobersOwnCommentsAndCommentsWithoutTheMentionStartNothing() {
        Setup s = setup();
        String bot = ForgePayloads.githubComment(s.owner(), s.repo(), 12, "@drover", "MEMBER", false)
                .replace("\"type\":\"User\"", "\"type\":\"Bot\"");
        assertThat(github("issue_comment", delivery(), bot).json().get("reason").asText()).contains("bot");
        String own = ForgePayloads.githubComment(s.owner(), s.repo(), 12,
                Comments.MARKER + "\nDrover started a run for this (asked by @drover)", "OWNER", false);
        assertThat(github("issue_comment", delivery(), own).json().get("status").asText()).isEqualTo("ignored");
        for (String body : List.of("no mention here", "ask @drover-bot", "mail me@drover.io", "`@drover` is the handle",
                "```\n@drover\n```", "> @drover fix it\n\nI agree")) {
            Api.Reply r = github("issue_comment", delivery(), ForgePayloads.githubComment(s.owner(), s.repo(), 12, body,
                    "OWNER", false));
            assertThat(r.json().get("status").asText()).as(body).isEqualTo("ignored");
        }
        assertThat(runs(s.api())).isEmpty();
    }

    @Test
    void aCommentOnAPullRequestStartsARunThatKnowsItIsOne() {
        Setup s = setup();
        Api.Reply r = github("issue_comment", delivery(),
                ForgePayloads.githubComment(s.owner(), s.repo(), 13, "@drover rebase this", "OWNER", true));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String prompt = s.api().get("/agent/runs/" + r.json().get("run_id").asText()).json().get("prompt").asText();
        assertThat(prompt).contains("GitHub pull request " + s.owner() + "/" + s.repo() + "#13");
    }

    @Test
    void theForgesTextIsDataNulIsReplacedAndTooLongTextIsCutRatherThanRefused() {
        Setup s = setup();
        String payload = ForgePayloads.githubComment(s.owner(), s.repo(), 18, "@drover a\u0000b " + "ü".repeat(100_000),
                        "OWNER", false)
                .replace("Spelling error in the README file", "Title\\u0000with NUL " + "t".repeat(400));
        Api.Reply r = github("issue_comment", delivery(), payload);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode run = s.api().get("/agent/runs/" + r.json().get("run_id").asText()).json();
        assertThat(run.get("prompt").asText()).contains("a\uFFFDb").doesNotContain("\u0000")
                .contains("[cut: longer than");
        assertThat(run.get("title").asText()).startsWith("Title\uFFFDwith NUL").hasSizeLessThanOrEqualTo(201);
    }

    @Test
    void anIssueLabelledForDroverStartsOneRun() {
        Setup s = setup();
        Api.Reply other = github("issues", delivery(), ForgePayloads.githubLabeled(s.owner(), s.repo(), 14, "bug", "User"));
        assertThat(other.json().get("status").asText()).isEqualTo("ignored");
        Api.Reply byBot = github("issues", delivery(), ForgePayloads.githubLabeled(s.owner(), s.repo(), 14, "drover", "Bot"));
        assertThat(byBot.json().get("status").asText()).isEqualTo("ignored");
        Api.Reply r = github("issues", delivery(), ForgePayloads.githubLabeled(s.owner(), s.repo(), 14, "Drover", "User"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode run = s.api().get("/agent/runs/" + r.json().get("run_id").asText()).json();
        assertThat(run.get("title").asText()).isEqualTo("Add a dark mode");
        assertThat(run.get("prompt").asText()).contains("The settings page needs a dark mode.")
                .contains("labelled for you by GitHub user Codertocat").doesNotContain("----- comment");
        assertThat(run.at("/metadata/drover.forge_trigger").asText()).isEqualTo("label");
        assertThat(run.get("trigger_url").asText()).endsWith("/issues/14");
        assertThat(runs(s.api())).hasSize(1);
    }

    @Test
    void aRepositoryNoEnvironmentListsIsIgnoredAndNothingIsWritten() {
        long before = deliveriesRecorded();
        Api.Reply r = github("issue_comment", delivery(),
                ForgePayloads.githubComment("nobody", "nothing", 1, "@drover", "OWNER", false));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("reason").asText()).isEqualTo("no environment lists nobody/nothing");
        assertThat(deliveriesRecorded()).isEqualTo(before);
    }

    @Test
    void theOldestEnvironmentListingARepositoryTakesItsEventsAndALaterTeamCannotCaptureThem() {
        Setup first = setup();
        Api other = server.newTenant("inbound-capture-" + N.incrementAndGet());
        // a later team listing the repository, and marking it for events, gets nothing of them
        other.createEnvironment(Map.of("name", "mine now", "github_repos",
                List.of(Map.of("owner", first.owner().toUpperCase(), "repo", first.repo(), "events", true))));
        Api.Reply r = github("issue_comment", delivery(),
                ForgePayloads.githubComment(first.owner(), first.repo(), 15, "@drover", "OWNER", false));
        String runId = r.json().get("run_id").asText();
        assertThat(first.api().get("/agent/runs/" + runId).json().at("/agent_config/environment_id").asText())
                .isEqualTo(first.environment());
        assertThat(other.get("/agent/runs/" + runId).status()).isEqualTo(404);
        assertThat(runs(other)).isEmpty();
    }

    @Test
    void withinItsScopeAnEnvironmentMarkedForTheRepositoryTakesItsEvents() {
        Setup s = setup();
        String marked = s.api().createEnvironment(Map.of("name", "for events", "github_repos", List.of(
                Map.of("owner", "elsewhere", "repo", "tools"), Map.of("owner", s.owner(), "repo", s.repo(), "events", true))));
        assertThat(s.api().get("/agent/environments/" + marked).json().at("/config/github_repos/1/events").asBoolean())
                .isTrue();
        Api.Reply r = github("issue_comment", delivery(),
                ForgePayloads.githubComment(s.owner(), s.repo(), 17, "@drover", "OWNER", false));
        assertThat(s.api().get("/agent/runs/" + r.json().get("run_id").asText()).json()
                .at("/agent_config/environment_id").asText()).isEqualTo(marked);
    }

    @Test
    void pingAndOtherEventsAreAnsweredIgnored() {
        Api.Reply ping = github("ping", delivery(), "{\"zen\":\"Design for failure.\",\"hook_id\":1}");
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.json().get("status").asText()).isEqualTo("ignored");
        Api.Reply push = github("push", delivery(), "{\"ref\":\"refs/heads/main\"}");
        assertThat(push.json().get("reason").asText()).contains("push");
        Api.Reply edited = github("issue_comment", delivery(), ForgePayloads.githubComment("a", "b", 1, "@drover", "OWNER",
                false).replace("\"action\":\"created\"", "\"action\":\"edited\""));
        assertThat(edited.json().get("status").asText()).isEqualTo("ignored");
    }

    @Test
    void badInputIsA4xxThatNamesTheHeaderOrTheBody() {
        Api.Reply noDelivery = server.anonymous().post("/integrations/github/webhook", "{}", Map.of(
                "X-GitHub-Event", "ping", "X-Hub-Signature-256", ForgeSignatures.githubSignature(SECRET, "{}".getBytes())));
        assertThat(noDelivery.status()).isEqualTo(400);
        assertThat(noDelivery.json().get("detail").asText()).startsWith("X-GitHub-Delivery:");
        Api.Reply notJson = github("issue_comment", delivery(), "not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("detail").asText()).startsWith("body:");
        Api.Reply array = github("issue_comment", delivery(), "[1]");
        assertThat(array.status()).isEqualTo(400);
        String huge = "{\"a\":\"" + "x".repeat(InboundSettings.MAX_BODY_BYTES) + "\"}";
        Api.Reply tooLarge = github("issue_comment", delivery(), huge);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("detail").asText()).startsWith("body:");
        Api.Reply noEvent = server.anonymous().post("/integrations/gitlab/webhook", "{}", Map.of(
                "X-Gitlab-Token", GITLAB_TOKEN, "X-Gitlab-Event-UUID", delivery()));
        assertThat(noEvent.status()).isEqualTo(400);
        assertThat(noEvent.json().get("detail").asText()).startsWith("X-Gitlab-Event:");
    }

    @Test
    void theApiCannotClaimThatARunCameFromAForge() {
        Setup s = setup();
        for (String source : List.of("GITHUB_WEBHOOK", "gitlab_webhook")) {
            Api.Reply r = s.api().post("/agent/runs", "{\"prompt\":\"x\"}", Map.of("X-Drover-Source", source));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("detail").asText()).startsWith("X-Drover-Source:");
        }
    }

    @Test
    void aGitLabNoteMentioningDroverByAListedUserStartsOneRunAndAReplayNone() {
        Setup s = setup();
        String project = s.owner() + "/" + s.repo();
        String uuid = delivery();
        String note = ForgePayloads.gitlabNote(project, 3, "@drover please look", "maintainer", false);
        Api.Reply r = gitlab("Note Hook", uuid, note, GITLAB_TOKEN);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String runId = r.json().get("run_id").asText();
        JsonNode run = s.api().get("/agent/runs/" + runId).json();
        assertThat(run.get("source").asText()).isEqualTo("GITLAB_WEBHOOK");
        assertThat(run.at("/agent_config/environment_id").asText()).isEqualTo(s.environment());
        assertThat(run.get("prompt").asText()).contains("The test fails one time in ten.").contains("@drover please look")
                .contains("comment by GitLab user maintainer");
        Api.Reply again = gitlab("Note Hook", uuid, note, GITLAB_TOKEN);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("run_id").asText()).isEqualTo(runId);
        // Idempotency-Key is the key when the UUID header is absent (older GitLab versions)
        String key = delivery();
        Map<String, String> headers = Map.of("X-Gitlab-Event", "Note Hook", "X-Gitlab-Token", GITLAB_TOKEN,
                "Idempotency-Key", key);
        String mr = ForgePayloads.gitlabNote(project, 4, "@drover review", "root", true);
        Api.Reply onMr = server.anonymous().post("/integrations/gitlab/webhook", mr, headers);
        assertThat(onMr.status()).as(onMr.toString()).isEqualTo(201);
        assertThat(s.api().get("/agent/runs/" + onMr.json().get("run_id").asText()).json().get("prompt").asText())
                .contains("GitLab merge request " + project + "!4");
        assertThat(server.anonymous().post("/integrations/gitlab/webhook", mr, headers).status()).isEqualTo(200);
        // GitLab's retry of an event keeps its Idempotency-Key, whatever X-Gitlab-Event-UUID says
        Map<String, String> retried = new HashMap<>(headers);
        retried.put("X-Gitlab-Event-UUID", delivery());
        Api.Reply retry = server.anonymous().post("/integrations/gitlab/webhook", mr, retried);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.json().get("run_id").asText()).isEqualTo(onMr.json().get("run_id").asText());
        assertThat(runs(s.api())).hasSize(2);
    }

    @Test
    void gitLabRefusesABadTokenAndUsersNotListedAndStartsOneRunForTheLabel() {
        Setup s = setup();
        String project = s.owner() + "/" + s.repo();
        String note = ForgePayloads.gitlabNote(project, 5, "@drover", "maintainer", false);
        for (String token : new String[] {"wrong", GITLAB_TOKEN + "x", "", null}) {
            Api.Reply r = gitlab("Note Hook", delivery(), note, token);
            assertThat(r.status()).as(String.valueOf(token)).isEqualTo(401);
            assertThat(r.json().get("detail").asText()).startsWith("X-Gitlab-Token:");
        }
        Api.Reply stranger = gitlab("Note Hook", delivery(),
                ForgePayloads.gitlabNote(project, 5, "@drover", "stranger", false), GITLAB_TOKEN);
        assertThat(stranger.json().get("reason").asText()).contains("DROVER_GITLAB_TRIGGER_USERS");
        Api.Reply bot = gitlab("Note Hook", delivery(),
                ForgePayloads.gitlabNote(project, 5, "@drover", "project_5_bot_0123abcd", false), GITLAB_TOKEN);
        assertThat(bot.json().get("status").asText()).isEqualTo("ignored");
        assertThat(runs(s.api())).isEmpty();

        Api.Reply otherLabel = gitlab("Issue Hook", delivery(), ForgePayloads.gitlabLabeled(project, 6, "bug", "root"),
                GITLAB_TOKEN);
        assertThat(otherLabel.json().get("status").asText()).isEqualTo("ignored");
        Api.Reply labelled = gitlab("Issue Hook", delivery(), ForgePayloads.gitlabLabeled(project, 6, "drover", "root"),
                GITLAB_TOKEN);
        assertThat(labelled.status()).as(labelled.toString()).isEqualTo(201);
        assertThat(s.api().get("/agent/runs/" + labelled.json().get("run_id").asText()).json().get("title").asText())
                .isEqualTo("New API: create/update/delete file");
        assertThat(runs(s.api())).hasSize(1);
    }

    @Test
    void withoutForgeAccessTheCommentsAreRecordedAsSkippedOnTheRun() {
        Setup s = setup();
        Api.Reply r = github("issue_comment", delivery(),
                ForgePayloads.githubComment(s.owner(), s.repo(), 16, "@drover", "OWNER", false));
        String runId = r.json().get("run_id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(s.api(), runId).contains("forge_comment_skipped"));
        // the outcome comment waits for the end: a user's cancel ends a queued run at once
        assertThat(s.api().post("/agent/runs/" + runId + "/cancel", (String) null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(s.api(), runId).stream()
                .filter("forge_comment_skipped"::equals).count() == 2);
        List<String> errors = server.server().database().readOne(h -> h.createQuery(
                        "SELECT DISTINCT last_error FROM forge_comments WHERE run_id = :r").bind("r", runId)
                .mapTo(String.class).list());
        assertThat(errors).containsExactly("no forge access configured (DROVER_FORGE, DROVER_GIT_TOKEN)");
    }

    static List<String> eventTypes(Api api, String runId) {
        List<String> types = new ArrayList<>();
        api.get("/agent/events?run_ids=" + runId).json().forEach(e -> types.add(e.get("event_type").asText()));
        return types;
    }
}
