package dev.drover.server.environments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.auth.Principal;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The environments endpoints against a real server; subclassed once per database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EnvironmentsApiTest {
    TestServer server;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Api tenant() {
        return server.newTenant("env-" + UUID.randomUUID());
    }

    private static Map<String, Object> full(String name) {
        return Map.of("name", name, "description", "the web app", "docker_image", "ubuntu:24.04",
                "github_repos", List.of(Map.of("owner", "acme", "repo", "web"), Map.of("owner", "acme", "repo", "api.v2")),
                "setup_commands", List.of("make deps", "echo ready"));
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.get("environments").forEach(e -> out.add(e.get("config").get("name").asText()));
        return out;
    }

    @Test
    void aCreatedEnvironmentIsReadableWithEveryField() {
        Api api = tenant();
        Api.Reply created = api.post("/agent/environments", full("web"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode e = created.json();
        assertThat(e.get("uid").asText()).matches("[A-Za-z0-9]{22}");
        JsonNode config = e.get("config");
        assertThat(config.get("name").asText()).isEqualTo("web");
        assertThat(config.get("description").asText()).isEqualTo("the web app");
        assertThat(config.get("docker_image").asText()).isEqualTo("ubuntu:24.04");
        assertThat(config.get("github_repos").get(1).get("owner").asText()).isEqualTo("acme");
        assertThat(config.get("github_repos").get(1).get("repo").asText()).isEqualTo("api.v2");
        assertThat(config.get("setup_commands").get(0).asText()).isEqualTo("make deps");
        assertThat(e.get("setup_failed").asBoolean()).isFalse();
        assertThat(e.has("last_task_created")).isFalse();
        assertThat(e.has("last_task_run_timestamp")).isFalse();
        assertThat(e.get("last_updated").asText()).endsWith("Z");
        assertThat(e.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(e.get("creator").get("type").asText()).isEqualTo("user");
        assertThat(e.get("last_editor").get("uid").asText()).isEqualTo(e.get("creator").get("uid").asText());

        Api.Reply got = api.get("/agent/environments/" + e.get("uid").asText());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json()).isEqualTo(e);
        assertThat(api.get("/agent/environments").json().get("environments")).containsExactly(e);
    }

    @Test
    void onlyANameIsRequiredAndListsDefaultToEmpty() {
        Api api = tenant();
        JsonNode e = api.post("/agent/environments", Map.of("name", "bare")).json();
        assertThat(e.get("config").get("github_repos")).isEmpty();
        assertThat(e.get("config").get("setup_commands")).isEmpty();
        assertThat(e.get("config").has("docker_image")).isFalse();
    }

    @Test
    void theListSortsByLastUpdatedNewestFirstOrByName() {
        Api api = tenant();
        String b = api.createEnvironment(Map.of("name", "b"));
        api.createEnvironment(Map.of("name", "a"));
        api.createEnvironment(Map.of("name", "C"));
        assertThat(names(api.get("/agent/environments").json())).containsExactly("C", "a", "b");
        assertThat(api.put("/agent/environments/" + b, Map.of("name", "b")).status()).isEqualTo(200);
        assertThat(names(api.get("/agent/environments").json())).containsExactly("b", "C", "a");
        assertThat(names(api.get("/agent/environments?sort_by=last_updated").json())).containsExactly("b", "C", "a");
        assertThat(names(api.get("/agent/environments?sort_by=name").json())).containsExactly("C", "a", "b");

        Api.Reply bad = api.get("/agent/environments?sort_by=size");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).startsWith("sort_by:");
    }

    @Test
    void anUpdateReplacesTheConfigurationKeepsTheScopeAndRecordsTheEditor() {
        String team = server.server().accounts().ensureTeam("team-upd-" + UUID.randomUUID());
        Api creator = key(team, "creator");
        Api editor = key(team, "editor");
        JsonNode created = creator.post("/agent/environments", full("before")).json();
        String uid = created.get("uid").asText();

        Api.Reply updated = editor.put("/agent/environments/" + uid, Map.of("name", "after",
                "github_repos", List.of(Map.of("owner", "acme", "repo", "other")), "team", false));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode e = updated.json();
        assertThat(e.get("uid").asText()).isEqualTo(uid);
        assertThat(e.get("config").get("name").asText()).isEqualTo("after");
        assertThat(e.get("config").get("github_repos")).hasSize(1);
        assertThat(e.get("config").get("setup_commands")).as("left out: now empty").isEmpty();
        assertThat(e.get("config").has("description")).isFalse();
        assertThat(e.get("scope")).isEqualTo(created.get("scope"));
        assertThat(e.get("creator")).isEqualTo(created.get("creator"));
        assertThat(e.get("last_editor").get("uid").asText()).isNotEqualTo(created.get("creator").get("uid").asText());
        assertThat(java.time.Instant.parse(e.get("last_updated").asText()))
                .isAfter(java.time.Instant.parse(created.get("last_updated").asText()));
        assertThat(creator.get("/agent/environments/" + uid).json()).isEqualTo(e);
    }

    private Api key(String team, String who) {
        Principal p = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                who + "-" + UUID.randomUUID() + "@example.com", team, false);
        return new Api(server.apiBaseUrl(), server.server().accounts().createKey(p, "k", null).secret());
    }

    @Test
    void aDeletedEnvironmentIsGoneAndNewRunsCannotUseIt() {
        Api api = tenant();
        String uid = api.createEnvironment(Map.of("name", "short-lived"));
        Api.Reply deleted = api.delete("/agent/environments/" + uid);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("success").asBoolean()).isTrue();
        assertThat(api.get("/agent/environments/" + uid).status()).isEqualTo(404);
        assertThat(api.delete("/agent/environments/" + uid).status()).isEqualTo(404);
        assertThat(api.get("/agent/environments").json().get("environments")).isEmpty();
        Api.Reply run = api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("environment_id", uid)));
        assertThat(run.status()).isEqualTo(404);
        assertThat(run.json().get("detail").asText()).startsWith("config.environment_id:");
    }

    @Test
    void anotherTenantsEnvironmentIsAnswered404LikeAnUnknownOne() {
        Api owner = tenant();
        Api stranger = tenant();
        String uid = owner.createEnvironment(Map.of("name", "private"));
        for (String id : List.of(uid, "A".repeat(22), "not-a-uid")) {
            assertThat(stranger.get("/agent/environments/" + id).status()).as(id).isEqualTo(404);
            assertThat(stranger.put("/agent/environments/" + id, Map.of("name", "mine")).status()).as(id).isEqualTo(404);
            assertThat(stranger.delete("/agent/environments/" + id).status()).as(id).isEqualTo(404);
            Api.Reply run = stranger.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("environment_id", id)));
            assertThat(run.status()).as(id).isEqualTo(404);
            assertThat(run.json().get("detail").asText()).isEqualTo("config.environment_id: environment not found");
            assertThat(run.json().get("type").asText()).endsWith("/resource_not_found");
        }
        Api.Reply notFound = stranger.get("/agent/environments/" + uid);
        assertThat(notFound.header("content-type")).startsWith("application/problem+json");
        assertThat(stranger.get("/agent/environments").json().get("environments")).isEmpty();
        assertThat(owner.get("/agent/environments/" + uid).json().get("config").get("name").asText())
                .as("untouched by the stranger's attempts").isEqualTo("private");
        assertThat(server.anonymous().get("/agent/environments").status()).isEqualTo(401);
    }

    @Test
    void aPersonalEnvironmentIsHiddenFromTeammatesAndATeamOneIsShared() {
        String team = server.server().accounts().ensureTeam("team-scope-" + UUID.randomUUID());
        Api me = key(team, "me");
        Api mate = key(team, "mate");
        JsonNode personal = me.post("/agent/environments", Map.of("name", "mine", "team", false)).json();
        JsonNode shared = me.post("/agent/environments", Map.of("name", "ours", "team", true)).json();
        assertThat(personal.get("scope").get("type").asText()).isEqualTo("User");
        assertThat(shared.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(shared.get("scope").get("uid").asText()).isEqualTo(team);
        assertThat(names(mate.get("/agent/environments").json())).containsExactly("ours");
        assertThat(mate.get("/agent/environments/" + personal.get("uid").asText()).status()).isEqualTo(404);
        assertThat(mate.post("/agent/runs", Map.of("prompt", "p", "config",
                Map.of("environment_id", shared.get("uid").asText()))).status()).isEqualTo(200);

        Principal loner = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                "loner-" + UUID.randomUUID() + "@example.com", null, false);
        Api alone = new Api(server.apiBaseUrl(), server.server().accounts().createKey(loner, "k", null).secret());
        Api.Reply refused = alone.post("/agent/environments", Map.of("name", "x", "team", true));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("detail").asText()).startsWith("team:");
        assertThat(alone.post("/agent/environments", Map.of("name", "x")).json().get("scope").get("type").asText())
                .isEqualTo("User");
    }

    @ParameterizedTest(name = "{0} is refused naming {1}")
    @MethodSource("badBodies")
    void badInputIsAProblemNamingTheField(String body, String field) {
        Api api = tenant();
        String uid = api.createEnvironment(Map.of("name", "target"));
        for (Api.Reply r : List.of(api.post("/agent/environments", body), api.put("/agent/environments/" + uid, body))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.header("content-type")).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field + ":");
            assertThat(r.json().get("type").asText()).endsWith("/invalid_request");
        }
        assertThat(api.get("/agent/environments").json().get("environments")).as("nothing was stored").hasSize(1);
        assertThat(api.get("/agent/environments/" + uid).json().get("config").get("name").asText()).isEqualTo("target");
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("", "body"),
                Arguments.of("{not json", "body"),
                Arguments.of("[]", "body"),
                Arguments.of("{}", "name"),
                Arguments.of("{\"name\": \"  \"}", "name"),
                Arguments.of("{\"name\": 5}", "name"),
                Arguments.of("{\"name\": \"" + "n".repeat(257) + "\"}", "name"),
                Arguments.of("{\"name\": \"a\\u0000b\"}", "name"),
                Arguments.of("{\"name\": \"n\", \"description\": [\"x\"]}", "description"),
                Arguments.of("{\"name\": \"n\", \"description\": \"" + "d".repeat(4097) + "\"}", "description"),
                Arguments.of("{\"name\": \"n\", \"docker_image\": \"ubuntu latest\"}", "docker_image"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": \"acme/web\"}", "github_repos"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [\"acme/web\"]}", "github_repos[0]"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [null]}", "github_repos[0]"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"repo\": \"web\"}]}", "github_repos[0].owner"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"owner\": \"../etc\", \"repo\": \"web\"}]}", "github_repos[0].owner"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"owner\": \"acme\", \"repo\": \"..\"}]}", "github_repos[0].repo"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"owner\": \"acme\", \"repo\": \"a/b\"}]}", "github_repos[0].repo"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"owner\": \"acme\", \"repo\": \".drover\"}]}", "github_repos[0].repo"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"owner\": \"acme\", \"repo\": 7}]}", "github_repos[0].repo"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": [{\"owner\": \"a\", \"repo\": \"web\"}, "
                        + "{\"owner\": \"b\", \"repo\": \"Web\"}]}", "github_repos[1].repo"),
                Arguments.of("{\"name\": \"n\", \"github_repos\": " + repos(33) + "}", "github_repos"),
                Arguments.of("{\"name\": \"n\", \"setup_commands\": \"make\"}", "setup_commands"),
                Arguments.of("{\"name\": \"n\", \"setup_commands\": [\"make\", \"\"]}", "setup_commands[1]"),
                Arguments.of("{\"name\": \"n\", \"setup_commands\": [\"make\", 3]}", "setup_commands[1]"),
                Arguments.of("{\"name\": \"n\", \"setup_commands\": [\"" + "x".repeat(8193) + "\"]}", "setup_commands[0]"),
                Arguments.of("{\"name\": \"n\", \"setup_commands\": " + commands(65) + "}", "setup_commands"));
    }

    private static String repos(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"owner\": \"acme\", \"repo\": \"r" + i + "\"}")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String commands(int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"echo " + i + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    @Test
    void creatingARunInTheEnvironmentMakesItTheLastTaskCreated() {
        Api api = tenant();
        String uid = api.createEnvironment(Map.of("name", "busy"));
        String first = runIn(api, uid, "default");
        JsonNode e = api.get("/agent/environments/" + uid).json();
        assertThat(e.get("last_task_created").get("id").asText()).isEqualTo(first);
        assertThat(e.get("last_task_created").get("state").asText()).isEqualTo("QUEUED");
        assertThat(e.get("last_task_created").get("title").asText()).isEqualTo("work in " + uid);

        String second = runIn(api, uid, "default");
        assertThat(api.post("/agent/runs/" + second + "/cancel", (String) null).status()).isEqualTo(200);
        JsonNode last = api.get("/agent/environments/" + uid).json().get("last_task_created");
        assertThat(last.get("id").asText()).isEqualTo(second);
        assertThat(last.get("state").asText()).as("the run as it is now").isEqualTo("CANCELLED");
        assertThat(api.get("/agent/runs?environment_id=" + uid).json().get("runs")).hasSize(2);
    }

    private static String runIn(Api api, String uid, String pool) {
        Api.Reply r = api.post("/agent/runs", Map.of("prompt", "work in " + uid,
                "config", Map.of("environment_id", uid, "worker_host", pool)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    @Test
    void setupFailedFollowsTheLatestRunWhoseSetupFinished() {
        Api api = tenant();
        String pool = "env-" + UUID.randomUUID().toString().substring(0, 8);
        Api worker = server.newWorkerKey("w-" + UUID.randomUUID());
        String workerId = worker.post("/workers", Map.of("name", "w", "pool", pool)).json().get("worker_id").asText();
        String uid = api.createEnvironment(Map.of("name", "flaky", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "web")), "setup_commands", List.of("make deps")));

        String failing = runIn(api, uid, pool);
        JsonNode claim = take(worker, workerId, failing);
        JsonNode env = claim.get("environment");
        assertThat(env.get("uid").asText()).isEqualTo(uid);
        assertThat(env.get("repos").get(0).get("clone_url").asText()).isEqualTo("https://github.com/acme/web.git");
        assertThat(env.get("setup_commands").get(0).asText()).isEqualTo("make deps");
        assertThat(worker.post("/agent/events/" + failing, Map.of("event_type", "run_failed",
                "execution_id", claim.get("execution_id").asText(), "status_message",
                Map.of("message", "setup command 1 (make deps) exited with status 2",
                        "error_code", "environment_setup_failed"))).status()).isEqualTo(200);
        JsonNode afterFailure = api.get("/agent/environments/" + uid).json();
        assertThat(afterFailure.get("setup_failed").asBoolean()).isTrue();
        assertThat(afterFailure.has("last_task_run_timestamp")).isFalse();

        String otherFailure = runIn(api, uid, pool);
        String execution = take(worker, workerId, otherFailure).get("execution_id").asText();
        worker.post("/agent/events/" + otherFailure, Map.of("event_type", "run_in_progress", "execution_id", execution));
        assertThat(api.get("/agent/environments/" + uid).json().get("setup_failed").asBoolean())
                .as("a run that started got past its setup").isFalse();
        worker.post("/agent/events/" + otherFailure, Map.of("event_type", "run_failed", "execution_id", execution,
                "status_message",
                Map.of("message", "the agent gave up", "error_code", "invalid_request")));
        JsonNode afterAgentFailure = api.get("/agent/environments/" + uid).json();
        assertThat(afterAgentFailure.get("setup_failed").asBoolean()).as("the agent failed, not the setup").isFalse();
        assertThat(afterAgentFailure.get("last_task_run_timestamp").asText())
                .isEqualTo(api.get("/agent/runs/" + otherFailure).json().get("started_at").asText());
        assertThat(afterAgentFailure.get("last_task_created").get("state").asText()).isEqualTo("FAILED");
    }

    /** Claims {@code run} with the worker and accepts it; returns the claim. */
    private static JsonNode take(Api worker, String workerId, String run) {
        Api.Reply claimed = worker.post("/workers/" + workerId + "/claim?wait=5", (String) null);
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        assertThat(claimed.json().get("run").get("run_id").asText()).isEqualTo(run);
        assertThat(worker.post("/workers/" + workerId + "/runs/" + run + "/accept", (String) null).status()).isEqualTo(200);
        return claimed.json();
    }

    @Test
    void aRunWhoseEnvironmentWasDeletedIsClaimedWithoutOne() {
        Api api = tenant();
        String pool = "gone-" + UUID.randomUUID().toString().substring(0, 8);
        Api worker = server.newWorkerKey("w-" + UUID.randomUUID());
        String workerId = worker.post("/workers", Map.of("name", "w", "pool", pool)).json().get("worker_id").asText();
        String uid = api.createEnvironment(Map.of("name", "doomed"));
        String run = runIn(api, uid, pool);
        assertThat(api.delete("/agent/environments/" + uid).status()).isEqualTo(200);
        JsonNode claim = take(worker, workerId, run);
        assertThat(claim.has("environment")).isFalse();
        assertThat(claim.get("run").get("agent_config").get("environment_id").asText()).isEqualTo(uid);
    }
}
