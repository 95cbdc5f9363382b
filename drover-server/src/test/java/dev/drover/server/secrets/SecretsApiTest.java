package dev.drover.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.auth.Principal;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The secrets endpoints, their use by runs and their protections, against a real server on each database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecretsApiTest {
    abstract Backend backend();

    private TestServer server;
    private Api workerKey;
    private String workerId;
    private final String pool = "secrets-" + UUID.randomUUID();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        workerKey = server.newWorkerKey("secrets-" + UUID.randomUUID());
        workerId = workerKey.post("/workers", Map.of("name", "s", "pool", pool)).json().get("worker_id").asText();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Api tenant() {
        return server.newTenant("sec-" + UUID.randomUUID());
    }

    private Api member(String team) {
        Principal p = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                "m-" + UUID.randomUUID() + "@example.com", team, false);
        return new Api(server.apiBaseUrl(), server.server().accounts().createKey(p, "k", null).secret());
    }

    private static String value() {
        return "val-" + UUID.randomUUID();
    }

    private static JsonNode create(Api api, String name, String value) {
        Api.Reply r = api.post("/secrets", Map.of("name", name, "value", value, "description", "for " + name));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    /** Claims runs of this class's pool until {@code runId} comes; the claim as the worker receives it. */
    private JsonNode claimed(String runId) {
        for (int i = 0; i < 20; i++) {
            Api.Reply r = workerKey.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
            if (r.status() == 200 && r.json().get("run").get("run_id").asText().equals(runId)) {
                return r.json();
            }
        }
        throw new AssertionError("run " + runId + " was not claimed");
    }

    private Map<String, Object> config(Map<String, Object> more) {
        Map<String, Object> c = new HashMap<>(more);
        c.put("worker_host", pool);
        return c;
    }

    private static void assertProblem(Api.Reply r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field + ":");
    }

    @Test
    void aCreatedSecretIsListedWithoutItsValueAnywhere() {
        Api api = tenant();
        String v = value();
        JsonNode s = create(api, "NPM_TOKEN", v);
        assertThat(s.get("uid").asText()).matches("[A-Za-z0-9]{22}");
        assertThat(s.get("name").asText()).isEqualTo("NPM_TOKEN");
        assertThat(s.get("description").asText()).isEqualTo("for NPM_TOKEN");
        assertThat(s.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(s.get("creator").get("type").asText()).isEqualTo("user");
        assertThat(s.get("updated_by")).isEqualTo(s.get("creator"));
        assertThat(s.get("created_at").asText()).endsWith("Z");
        assertThat(s.has("value")).isFalse();
        Api.Reply got = api.get("/secrets/" + s.get("uid").asText());
        assertThat(got.json()).isEqualTo(s);
        Api.Reply list = api.get("/secrets");
        assertThat(list.json().get("secrets")).containsExactly(s);
        assertThat(got.body() + list.body()).doesNotContain(v);

        // at rest: the row holds a ciphertext under the node's key, not the value
        Map<String, Object> row = server.server().database().readOne(h -> h.createQuery(
                "SELECT key_id, ciphertext FROM secrets WHERE id = :id").bind("id", s.get("uid").asText()).mapToMap().one());
        assertThat(row.toString()).doesNotContain(v);
        assertThat(row.get("key_id")).isEqualTo(server.server().database().readOne(h -> h.createQuery(
                "SELECT key_id FROM secrets_key").mapTo(String.class).one()));
    }

    @Test
    void anUpdateReplacesTheValueAndRecordsWhoAndADeleteRemovesIt() {
        String team = server.server().accounts().ensureTeam("sec-upd-" + UUID.randomUUID());
        Api creator = member(team);
        Api editor = member(team);
        JsonNode s = create(creator, "API_KEY", value());
        String uid = s.get("uid").asText();
        String newer = value();
        Api.Reply updated = editor.put("/secrets/" + uid, Map.of("value", newer));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.body()).doesNotContain(newer);
        assertThat(updated.json().get("name").asText()).isEqualTo("API_KEY");
        assertThat(updated.json().has("description")).isFalse();
        assertThat(updated.json().get("creator")).isEqualTo(s.get("creator"));
        assertThat(updated.json().get("updated_by").get("uid")).isNotEqualTo(s.get("creator").get("uid"));

        String env = creator.createEnvironment(Map.of("name", "e", "secrets", List.of("API_KEY")));
        String run = creator.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        JsonNode claim = claimed(run);
        assertThat(claim.get("secrets")).hasSize(1);
        assertThat(claim.get("secrets").get(0).get("value").asText()).isEqualTo(newer);

        assertThat(editor.delete("/secrets/" + uid).json().get("success").asBoolean()).isTrue();
        assertThat(creator.get("/secrets/" + uid).status()).isEqualTo(404);
        assertThat(creator.get("/secrets").json().get("secrets")).isEmpty();
        assertThat(creator.delete("/secrets/" + uid).status()).isEqualTo(404);
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        Api api = tenant();
        assertProblem(api.post("/secrets", Map.of("value", "v")), 400, "name");
        for (String bad : List.of("1ABC", "A-B", "A B", "", "x".repeat(129), "ÄBC")) {
            assertProblem(api.post("/secrets", Map.of("name", bad, "value", "v")), 400, "name");
        }
        assertProblem(api.post("/secrets", Map.of("name", "A")), 400, "value");
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", "")), 400, "value");
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", "a\u0000b")), 400, "value");
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", "é".repeat(32 * 1024 + 1))), 400, "value");
        assertThat(api.post("/secrets", Map.of("name", "BIG", "value", "x".repeat(64 * 1024))).status()).isEqualTo(201);
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", "v", "description", "d".repeat(1025))), 400,
                "description");
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", 5)), 400, "value");
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", "v", "team", false, "team_id", "t")), 400,
                "team_id");
        assertProblem(api.post("/secrets", Map.of("name", "A", "value", "v", "team_id", "not-my-team")), 404, "team_id");
        create(api, "TWICE", "v1");
        Api.Reply again = api.post("/secrets", Map.of("name", "TWICE", "value", "v2"));
        assertProblem(again, 409, "name");
        assertThat(again.header("x-should-retry")).isNotEqualTo("true");
        assertProblem(api.put("/secrets/" + api.get("/secrets").json().get("secrets").get(0).get("uid").asText(),
                Map.of("value", "")), 400, "value");
        assertProblem(api.post("/agent/environments", Map.of("name", "e", "secrets", List.of("NOT-A-NAME"))), 400,
                "secrets[0]");
        assertProblem(api.post("/agent/environments", Map.of("name", "e", "secrets", List.of("A", "A"))), 400,
                "secrets[1]");
    }

    @Test
    void aCallerInSeveralTeamsSaysWhichOwnsTheSecretAndTheSameNameMayExistPerScope() {
        String t1 = server.server().accounts().ensureTeam("sec-t1-" + UUID.randomUUID());
        String t2 = server.server().accounts().ensureTeam("sec-t2-" + UUID.randomUUID());
        String email = "multi-" + UUID.randomUUID() + "@example.com";
        server.server().accounts().ensurePrincipal(Principal.Kind.USER, email, t1, false);
        Principal p = server.server().accounts().ensurePrincipal(Principal.Kind.USER, email, t2, false);
        Api api = new Api(server.apiBaseUrl(), server.server().accounts().createKey(p, "k", null).secret());

        assertProblem(api.post("/secrets", Map.of("name", "TOKEN", "value", "v", "team", true)), 400, "team_id");
        JsonNode personal = create(api, "TOKEN", "personal value");
        assertThat(personal.get("scope").get("type").asText()).isEqualTo("User");
        Api.Reply inT2 = api.post("/secrets", Map.of("name", "TOKEN", "value", "team value", "team_id", t2));
        assertThat(inT2.status()).as(inT2.toString()).isEqualTo(201);
        assertThat(inT2.json().get("scope").get("uid").asText()).isEqualTo(t2);
        assertThat(api.get("/secrets").json().get("secrets")).hasSize(2);
        // a team mate sees the team's secret, not the personal one
        assertThat(member(t2).get("/secrets").json().get("secrets")).hasSize(1);
    }

    @Test
    void anotherTenantsSecretIsNotFoundForEveryOperation() {
        Api owner = tenant();
        Api stranger = tenant();
        String uid = create(owner, "MINE", value()).get("uid").asText();
        assertProblem(stranger.get("/secrets/" + uid), 404, "secretId");
        assertProblem(stranger.put("/secrets/" + uid, Map.of("value", "overwritten")), 404, "secretId");
        assertProblem(stranger.delete("/secrets/" + uid), 404, "secretId");
        assertProblem(stranger.get("/secrets/" + "A".repeat(22)), 404, "secretId");
        assertProblem(stranger.get("/secrets/x"), 404, "secretId");
        assertThat(stranger.get("/secrets").json().get("secrets")).isEmpty();
        assertThat(owner.get("/secrets/" + uid).status()).isEqualTo(200);
        // nor can a stranger's run use it by name
        assertProblem(stranger.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness", Map.of("type",
                "claude"), "harness_auth_secrets", Map.of("claude_auth_secret_name", "MINE")))), 400,
                "config.harness_auth_secrets.claude_auth_secret_name");
    }

    @Test
    void aRunTokenCannotTouchSecrets() {
        Api user = tenant();
        String uid = create(user, "AGENT_CANNOT", value()).get("uid").asText();
        String run = user.createRun(Map.of("prompt", "p", "config", config(Map.of())));
        Api agent = new Api(server.apiBaseUrl(), claimed(run).get("run_token").asText());
        for (Api.Reply r : List.of(agent.get("/secrets"), agent.get("/secrets/" + uid),
                agent.post("/secrets", Map.of("name", "X", "value", "v")), agent.put("/secrets/" + uid,
                        Map.of("value", "v")), agent.delete("/secrets/" + uid))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(403);
        }
        assertThat(user.get("/secrets").json().get("secrets")).hasSize(1);
    }

    @Test
    void aRunNamingASecretItCannotSeeIsRefusedAtCreation() {
        Api api = tenant();
        assertProblem(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness", Map.of("type", "codex"),
                "harness_auth_secrets", Map.of("codex_auth_secret_name", "NOPE")))), 400,
                "config.harness_auth_secrets.codex_auth_secret_name");
        assertProblem(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of(
                "harness_auth_secrets", Map.of("gemini_auth_secret_name", " ")))), 400,
                "config.harness_auth_secrets.gemini_auth_secret_name");
        String env = api.createEnvironment(Map.of("name", "e", "secrets", List.of("MISSING_ONE")));
        Api.Reply r = api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("environment_id", env)));
        assertProblem(r, 400, "config.environment_id");
        assertThat(r.json().get("detail").asText()).contains("MISSING_ONE");
        create(api, "MISSING_ONE", value());
        assertThat(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("environment_id", env))).status())
                .isEqualTo(200);
    }

    @Test
    void theClaimCarriesTheEnvironmentsSecretsAndOnlyTheHarnessOwnAuthSecretAndNothingElseShowsThem() {
        Api api = tenant();
        String npm = value();
        String claude = "sk-ant-" + value();
        String codex = value();
        create(api, "NPM_TOKEN", npm);
        create(api, "CLAUDE_AUTH", claude);
        create(api, "CODEX_AUTH", codex);
        create(api, "UNUSED", value());
        String env = api.createEnvironment(Map.of("name", "e", "secrets", List.of("NPM_TOKEN")));
        String run = api.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env,
                "harness", Map.of("type", "claude"), "harness_auth_secrets", Map.of("claude_auth_secret_name",
                        "CLAUDE_AUTH", "codex_auth_secret_name", "CODEX_AUTH")))));
        JsonNode claim = claimed(run);
        assertThat(claim.has("secrets_error")).isFalse();
        assertThat(claim.get("environment").get("secrets")).containsExactly(
                com.fasterxml.jackson.databind.node.TextNode.valueOf("NPM_TOKEN"));
        Map<String, String> got = new HashMap<>();
        claim.get("secrets").forEach(s -> got.put(s.get("name").asText() + "/" + s.get("use").asText(),
                s.get("value").asText()));
        assertThat(got).isEqualTo(Map.of("NPM_TOKEN/environment", npm, "CLAUDE_AUTH/harness_auth", claude));
        String everything = api.get("/agent/runs/" + run).body() + api.get("/agent/events?run_ids=" + run).body()
                + api.get("/agent/runs?limit=100").body() + api.get("/agent/environments/" + env).body();
        assertThat(everything).doesNotContain(npm).doesNotContain(claude).doesNotContain(codex);
    }

    @Test
    void aTeamRunGetsOnlyItsTeamsSecretsNotItsCreatorsPersonalOneOfTheSameName() {
        // everyone in a team edits its environments: a name a team environment lists must not reach into the
        // personal (or other team's) secrets of whoever starts the run, where a team mate's setup could read it
        String team = server.server().accounts().ensureTeam("sec-deputy-" + UUID.randomUUID());
        Api starter = member(team);
        Api teamMate = member(team);
        String personal = value();
        Api.Reply own = starter.post("/secrets", Map.of("name", "DEPLOY_KEY", "value", personal, "team", false));
        assertThat(own.status()).as(own.toString()).isEqualTo(201);
        String env = teamMate.createEnvironment(Map.of("name", "e", "secrets", List.of("DEPLOY_KEY")));
        String run = starter.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        assertThat(starter.get("/agent/runs/" + run).json().get("scope").get("uid").asText()).isEqualTo(team);
        JsonNode claim = claimed(run);
        assertThat(claim.get("secrets")).isEmpty();
        assertThat(claim.get("secrets_error").asText()).contains("DEPLOY_KEY");
        assertThat(claim.toString()).doesNotContain(personal);
    }

    @Test
    void aSecretDeletedBetweenCreationAndClaimMakesTheClaimSaySo() {
        Api api = tenant();
        String uid = create(api, "GONE_SOON", value()).get("uid").asText();
        String env = api.createEnvironment(Map.of("name", "e", "secrets", List.of("GONE_SOON")));
        String run = api.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        api.delete("/secrets/" + uid);
        JsonNode claim = claimed(run);
        assertThat(claim.get("secrets")).isEmpty();
        assertThat(claim.get("secrets_error").asText()).contains("GONE_SOON").contains("deleted");
    }

    @Test
    void whatAnAgentSendsWithItsTokenHasItsSecretsRedacted() {
        Api user = tenant();
        String v = value();
        create(user, "DEPLOY_KEY", v);
        String env = user.createEnvironment(Map.of("name", "e", "secrets", List.of("DEPLOY_KEY")));
        String run = user.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        Api agent = new Api(server.apiBaseUrl(), claimed(run).get("run_token").asText());
        String sibling = user.createRun("a sibling, queued");
        Api.Reply sent = agent.post("/agent/messages", Map.of("to", List.of(sibling), "subject", "key " + v,
                "body", "the key is " + v + "!", "sender_run_id", run));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
        String id = sent.json().get("message_ids").get(0).asText();
        JsonNode message = user.post("/agent/messages/" + id + "/read", (String) null).json();
        assertThat(message.get("body").asText()).isEqualTo("the key is [redacted:DEPLOY_KEY]!");
        assertThat(user.get("/agent/messages/" + sibling).body()).doesNotContain(v).contains("[redacted:DEPLOY_KEY]");

        Api.Reply child = agent.post("/agent/runs", Map.of("prompt", "use " + v, "title", "t " + v,
                "parent_run_id", run));
        assertThat(child.status()).as(child.toString()).isEqualTo(200);
        JsonNode childRun = user.get("/agent/runs/" + child.json().get("run_id").asText()).json();
        assertThat(childRun.get("prompt").asText()).isEqualTo("use [redacted:DEPLOY_KEY]");
        assertThat(childRun.toString()).doesNotContain(v);
        // the user's own writes are theirs: nothing is redacted there
        assertThat(user.post("/agent/messages", Map.of("to", List.of(sibling), "subject", "s", "body", v,
                "sender_run_id", sibling)).status()).isEqualTo(200);
    }

    @Test
    void anAgentCannotHandAChildRunASecretItsOwnRunWasNotGiven() {
        Api user = tenant();
        create(user, "GIVEN", value());
        create(user, "NOT_GIVEN", value());
        String env = user.createEnvironment(Map.of("name", "e", "secrets", List.of("GIVEN")));
        String run = user.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        Api agent = new Api(server.apiBaseUrl(), claimed(run).get("run_token").asText());
        Api.Reply escalated = agent.post("/agent/runs", Map.of("prompt", "c", "parent_run_id", run, "config", Map.of(
                "harness", Map.of("type", "claude"), "harness_auth_secrets", Map.of("claude_auth_secret_name", "NOT_GIVEN"))));
        assertProblem(escalated, 403, "config.harness_auth_secrets.claude_auth_secret_name");
        Api.Reply passedOn = agent.post("/agent/runs", Map.of("prompt", "c", "parent_run_id", run, "config", Map.of(
                "harness", Map.of("type", "claude"), "harness_auth_secrets", Map.of("claude_auth_secret_name", "GIVEN"))));
        assertThat(passedOn.status()).as(passedOn.toString()).isEqualTo(200);
        // the user who owns both may, of course
        assertThat(user.post("/agent/runs", Map.of("prompt", "c", "config", Map.of("harness", Map.of("type", "claude"),
                "harness_auth_secrets", Map.of("claude_auth_secret_name", "NOT_GIVEN")))).status()).isEqualTo(200);
    }

    @Test
    void anEnvironmentsGitSecretTravelsInTheClaimForTheWorkerAloneAndNamesTheDeliveryCredential() {
        Api user = tenant();
        String git = value();
        String npm = value();
        create(user, "REPO_TOKEN", git);
        create(user, "NPM_TOKEN", npm);
        Api.Reply bad = user.post("/agent/environments", Map.of("name", "e", "git_secret", "9-not-a-name"));
        assertProblem(bad, 400, "git_secret");
        String env = user.createEnvironment(Map.of("name", "e", "secrets", List.of("NPM_TOKEN"), "git_secret",
                "REPO_TOKEN", "github_repos", List.of(Map.of("owner", "acme", "repo", "web"))));
        assertThat(user.get("/agent/environments/" + env).json().get("config").get("git_secret").asText())
                .isEqualTo("REPO_TOKEN");
        String run = user.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        JsonNode claim = claimed(run);
        Map<String, String> got = new HashMap<>();
        claim.get("secrets").forEach(s -> got.put(s.get("name").asText() + "/" + s.get("use").asText(),
                s.get("value").asText()));
        // use git: the worker's credential, which it never puts into a process's environment (use environment)
        assertThat(got).isEqualTo(Map.of("NPM_TOKEN/environment", npm, "REPO_TOKEN/git", git));
        assertThat(claim.get("environment").get("git_secret").asText()).isEqualTo("REPO_TOKEN");
        assertThat(claim.get("delivery").get("credential").asText()).isEqualTo("REPO_TOKEN");
        String everything = user.get("/agent/runs/" + run).body() + user.get("/agent/events?run_ids=" + run).body()
                + user.get("/agent/environments/" + env).body() + user.get("/agent/environments").body();
        assertThat(everything).doesNotContain(git);

        // what the agent writes with its token has the git secret redacted too, should it have come by it
        Api agent = new Api(server.apiBaseUrl(), claim.get("run_token").asText());
        Api.Reply child = agent.post("/agent/runs", Map.of("prompt", "push with " + git, "parent_run_id", run));
        assertThat(child.status()).as(child.toString()).isEqualTo(200);
        assertThat(user.get("/agent/runs/" + child.json().get("run_id").asText()).json().get("prompt").asText())
                .isEqualTo("push with [redacted:REPO_TOKEN]");
        // and it cannot have it injected into a child it starts: the git secret is not one of its run's to pass on
        Api.Reply escalated = agent.post("/agent/runs", Map.of("prompt", "c", "parent_run_id", run, "config", Map.of(
                "harness", Map.of("type", "claude"), "harness_auth_secrets", Map.of("claude_auth_secret_name",
                        "REPO_TOKEN"))));
        assertProblem(escalated, 403, "config.harness_auth_secrets.claude_auth_secret_name");
    }

    @Test
    void aGitSecretOutsideTheEnvironmentsOwnScopeIsRefusedWhenARunIsCreated() {
        String teamA = server.server().accounts().ensureTeam("git-a-" + UUID.randomUUID());
        String teamB = server.server().accounts().ensureTeam("git-b-" + UUID.randomUUID());
        String email = "git-" + UUID.randomUUID() + "@example.com";
        Principal inA = server.server().accounts().ensurePrincipal(Principal.Kind.USER, email, teamA, false);
        Api user = new Api(server.apiBaseUrl(), server.server().accounts().createKey(inA, "k", null).secret());
        // a foreign team's secret: the user is not in team B
        Api foreigner = member(teamB);
        assertThat(foreigner.post("/secrets", Map.of("name", "B_TOKEN", "value", value())).status()).isEqualTo(201);
        String env = user.createEnvironment(Map.of("name", "e", "git_secret", "B_TOKEN"));
        Api.Reply refused = user.post("/agent/runs", Map.of("prompt", "p", "config", config(Map.of("environment_id",
                env))));
        assertProblem(refused, 400, "config.environment_id");
        assertThat(refused.json().get("detail").asText()).contains("git_secret").contains("B_TOKEN");

        // a member of both teams may see B's secret, but A's environment cannot push with B's credential
        server.server().accounts().ensurePrincipal(Principal.Kind.USER, email, teamB, false);
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                user.get("/secrets").json().get("secrets").size() == 1);
        assertProblem(user.post("/agent/runs", Map.of("prompt", "p", "config", config(Map.of("environment_id", env)))),
                400, "config.environment_id");
        assertThat(user.post("/secrets", Map.of("name", "B_TOKEN", "value", value(), "team_id", teamA)).status())
                .isEqualTo(201);
        Api.Reply accepted = user.post("/agent/runs", Map.of("prompt", "p", "team", true, "config",
                config(Map.of("environment_id", env))));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
    }

    @Test
    void aRunWhoseGitSecretWasDeletedGetsNoSecretsButAnErrorInItsClaim() {
        Api api = tenant();
        String uid = create(api, "GIT_GONE", value()).get("uid").asText();
        String env = api.createEnvironment(Map.of("name", "e", "git_secret", "GIT_GONE"));
        String run = api.createRun(Map.of("prompt", "p", "config", config(Map.of("environment_id", env))));
        api.delete("/secrets/" + uid);
        JsonNode claim = claimed(run);
        assertThat(claim.get("secrets")).isEmpty();
        assertThat(claim.get("secrets_error").asText()).contains("GIT_GONE").contains("deleted");
    }

    @Test
    void aNodeWithAnotherKeyRefusesToStartAndAPreviousKeyRotatesEverySecret() {
        var config = backend().freshConfig();
        String oldKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        byte[] fresh = new byte[32];
        fresh[0] = 1;
        String newKey = java.util.Base64.getEncoder().encodeToString(fresh);
        String v = value();
        String uid;
        try (TestServer first = TestServer.start(backend(), config.withEnv(Map.of("DROVER_SECRETS_KEY", oldKey)))) {
            uid = create(first.admin(), "ROTATED", v).get("uid").asText();
        }
        assertThatThrownBy(() -> TestServer.start(backend(), config.withEnv(Map.of("DROVER_SECRETS_KEY", newKey))))
                .hasMessageContaining("DROVER_SECRETS_PREVIOUS_KEY").hasMessageNotContaining(newKey)
                .hasMessageNotContaining(oldKey);
        // the key file of the data directory is another key too: refused the same way
        assertThatThrownBy(() -> TestServer.start(backend(), config.withEnv(Map.of()))).hasMessageContaining("every node");
        try (TestServer rotated = TestServer.start(backend(), config.withEnv(Map.of("DROVER_SECRETS_KEY", newKey,
                "DROVER_SECRETS_PREVIOUS_KEY", oldKey)))) {
            String recorded = rotated.server().database().readOne(h -> h.createQuery(
                    "SELECT key_id FROM secrets_key").mapTo(String.class).one());
            String rowKey = rotated.server().database().readOne(h -> h.createQuery(
                    "SELECT key_id FROM secrets WHERE id = :id").bind("id", uid).mapTo(String.class).one());
            assertThat(rowKey).isEqualTo(recorded)
                    .isEqualTo(SecretCipher.fingerprint(fresh));
        }
        // the old key alone no longer opens anything; the new one alone does
        assertThatThrownBy(() -> TestServer.start(backend(), config.withEnv(Map.of("DROVER_SECRETS_KEY", oldKey))))
                .hasMessageContaining("every node");
        try (TestServer after = TestServer.start(backend(), config.withEnv(Map.of("DROVER_SECRETS_KEY", newKey)))) {
            Api admin = after.admin();
            Api worker = after.newWorkerKey("rot-" + UUID.randomUUID());
            String w = worker.post("/workers", Map.of("name", "r", "pool", "rot")).json().get("worker_id").asText();
            String env = admin.createEnvironment(Map.of("name", "e", "secrets", List.of("ROTATED")));
            admin.createRun(Map.of("prompt", "p", "config", Map.of("environment_id", env, "worker_host", "rot")));
            JsonNode claim = worker.post("/workers/" + w + "/claim?wait=5&accept=true", (String) null).json();
            assertThat(claim.get("secrets").get(0).get("value").asText()).isEqualTo(v);
        }
    }
}
