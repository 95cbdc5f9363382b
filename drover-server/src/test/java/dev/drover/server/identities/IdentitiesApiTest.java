package dev.drover.server.identities;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.auth.Principal;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.Races;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Agent identities through the API against a real server on each database: their shape and bad input, tenancy, who
 * may manage them, runs acting as one (creator, team, merged configuration, skills and secrets in the claim, the run
 * token acting as the identity), schedules naming one, and deletion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IdentitiesApiTest {
    abstract Backend backend();

    private static final String SKILL = "---\nname: triage\ndescription: Triages issues\n---\nLabel every issue TRIAGE-MARK.\n";

    private TestServer server;
    private MovableClock clock;
    private BareRepos repos;
    private Api workerKey;
    private String workerId;
    private final String pool = "ids-" + UUID.randomUUID();

    @BeforeAll
    void start() throws Exception {
        repos = new BareRepos(Files.createTempDirectory("drover-identity-repos-"));
        repos.create("acme", "ops", Map.of(".agents/skills/triage/SKILL.md", SKILL));
        clock = new MovableClock(Instant.parse("2030-01-07T08:59:00Z"));
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withGitBaseUrl(repos.root().toString()), clock);
        workerKey = server.newWorkerKey("ids-" + UUID.randomUUID());
        workerId = workerKey.post("/workers", Map.of("name", "i", "pool", pool)).json().get("worker_id").asText();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A person in a team of its own. */
    private Team team() {
        String team = server.server().accounts().ensureTeam("ids-" + UUID.randomUUID());
        return new Team(team, member(team));
    }

    private record Team(String id, Api api) {}

    private Api member(String team) {
        Principal p = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                "m-" + UUID.randomUUID() + "@example.com", team, false);
        return new Api(server.apiBaseUrl(), server.server().accounts().createKey(p, "k", null).secret());
    }

    /** A team with an environment (whose repository has the triage skill) and a secret. */
    private record Equipped(Team team, String environment, String secretValue) {}

    private Equipped equipped() {
        Team t = team();
        String env = t.api().createEnvironment(Map.of("name", "ops", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "ops")), "setup_commands", List.of("echo setup")));
        String value = "tok-" + UUID.randomUUID();
        assertThat(t.api().post("/secrets", Map.of("name", "OPS_TOKEN", "value", value)).status()).isEqualTo(201);
        return new Equipped(t, env, value);
    }

    private static JsonNode created(Api api, Map<String, ?> body) {
        Api.Reply r = api.post("/agent/identities", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static void assertProblem(Api.Reply r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field + ":");
    }

    private JsonNode claimed(String runId) {
        for (int i = 0; i < 20; i++) {
            Api.Reply r = workerKey.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
            if (r.status() == 200 && r.json().get("run").get("run_id").asText().equals(runId)) {
                return r.json();
            }
        }
        throw new AssertionError("run " + runId + " was not claimed");
    }

    @Test
    void anIdentityIsCreatedListedReadUpdatedAndDeletedWithTheSpecsShape() {
        Equipped e = equipped();
        Api api = e.team().api();
        JsonNode a = created(api, Map.of("name", "Triager", "description", "triages", "prompt", "Be terse.",
                "skills", List.of("acme/ops:triage"), "secrets", List.of(Map.of("name", "OPS_TOKEN")),
                "harness", Map.of("type", "claude"), "base_model", "sonnet", "environment_id", e.environment(),
                "worker_host", pool));
        String uid = a.get("uid").asText();
        assertThat(uid).matches("[A-Za-z0-9]{22}");
        assertThat(a.get("name").asText()).isEqualTo("Triager");
        assertThat(a.get("available").asBoolean()).isTrue();
        assertThat(a.get("created_at").asText()).endsWith("Z");
        assertThat(a.get("updated_at").asText()).isEqualTo(a.get("created_at").asText());
        // skills in their canonical form; secrets as the SDK writes them; memory always there, empty
        assertThat(a.get("skills").get(0).asText()).isEqualTo("acme/ops:.agents/skills/triage/SKILL.md");
        assertThat(a.get("secrets").get(0).get("name").asText()).isEqualTo("OPS_TOKEN");
        assertThat(a.get("memory").get("attached_stores")).isEmpty();
        assertThat(a.get("memory").get("auto_memory").get("enabled").asBoolean()).isFalse();
        assertThat(a.get("base_model").asText()).isEqualTo("sonnet");
        assertThat(a.get("prompt").asText()).isEqualTo("Be terse.");
        assertThat(a.get("environment_id").asText()).isEqualTo(e.environment());
        assertThat(a.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(a.get("scope").get("uid").asText()).isEqualTo(e.team().id());
        assertThat(a.get("creator").get("type").asText()).isEqualTo("user");

        assertThat(api.get("/agent/identities/" + uid).json()).isEqualTo(a);
        JsonNode list = api.get("/agent/identities").json();
        assertThat(list.get("agents")).containsExactly(a);

        clock.advance(Duration.ofSeconds(5));
        Api.Reply updated = api.put("/agent/identities/" + uid, Map.of("name", "Triage bot", "description", "",
                "skills", List.of()));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode u = updated.json();
        assertThat(u.get("name").asText()).isEqualTo("Triage bot");
        assertThat(u.has("description")).as("cleared by \"\"").isFalse();
        assertThat(u.get("skills")).as("cleared by []").isEmpty();
        assertThat(u.get("secrets")).as("left out: kept").hasSize(1);
        assertThat(u.get("environment_id").asText()).as("left out: kept").isEqualTo(e.environment());
        assertThat(u.get("updated_at").asText()).isNotEqualTo(u.get("created_at").asText());
        assertThat(u.get("created_at")).isEqualTo(a.get("created_at"));

        Api.Reply deleted = api.delete("/agent/identities/" + uid);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertProblem(api.get("/agent/identities/" + uid), 404, "uid");
        assertProblem(api.delete("/agent/identities/" + uid), 404, "uid");
        assertThat(api.get("/agent/identities").json().get("agents")).isEmpty();
    }

    @Test
    void badInputIsRefusedWithA400NamingTheField() {
        Equipped e = equipped();
        Api api = e.team().api();
        Team other = team();
        String foreignEnv = other.api().createEnvironment(Map.of("name", "theirs"));
        assertThat(other.api().post("/secrets", Map.of("name", "THEIRS", "value", "v")).status()).isEqualTo(201);
        record Case(Map<String, Object> body, String field) {}
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(Map.of("description", "no name"), "name"));
        cases.add(new Case(Map.of("name", "  "), "name"));
        cases.add(new Case(Map.of("name", "x".repeat(300)), "name"));
        cases.add(new Case(Map.of("name", "n", "description", "d".repeat(2000)), "description"));
        cases.add(new Case(Map.of("name", "n", "environment_id", "nope"), "environment_id"));
        cases.add(new Case(Map.of("name", "n", "environment_id", foreignEnv), "environment_id"));
        cases.add(new Case(Map.of("name", "n", "secrets", List.of(Map.of("name", "MISSING"))), "secrets[0].name"));
        cases.add(new Case(Map.of("name", "n", "secrets", List.of(Map.of("name", "THEIRS"))), "secrets[0].name"));
        cases.add(new Case(Map.of("name", "n", "secrets", List.of(Map.of("name", "OPS_TOKEN"),
                Map.of("name", "OPS_TOKEN"))), "secrets[1].name"));
        cases.add(new Case(Map.of("name", "n", "secrets", List.of(Map.of("name", "1bad"))), "secrets[0].name"));
        cases.add(new Case(Map.of("name", "n", "skills", List.of("acme/ops:nothing-here")), "skills[0]"));
        cases.add(new Case(Map.of("name", "n", "skills", List.of(" ")), "skills[0]"));
        cases.add(new Case(Map.of("name", "n", "harness", Map.of("type", "vim")), "harness.type"));
        cases.add(new Case(Map.of("name", "n", "harness", Map.of("type", "command")), "harness.command"));
        cases.add(new Case(Map.of("name", "n", "worker_host", " "), "worker_host"));
        cases.add(new Case(Map.of("name", "n", "base_model", "no-such-model"), "base_model"));
        cases.add(new Case(Map.of("name", "n", "harness_auth_secrets", Map.of("claude_auth_secret_name", "THEIRS")),
                "harness_auth_secrets.claude_auth_secret_name"));
        cases.add(new Case(Map.of("name", "n", "mcp_servers", Map.of("m", Map.of("url", "ftp://x"))), "mcp_servers.m.url"));
        cases.add(new Case(Map.of("name", "n", "team_id", other.id()), "team_id"));
        for (Case c : cases) {
            Api.Reply r = api.post("/agent/identities", c.body());
            int expected = c.field().equals("team_id") ? 404 : 400;
            assertProblem(r, expected, c.field());
        }
        assertThat(api.get("/agent/identities").json().get("agents")).as("nothing was created").isEmpty();
        String uid = created(api, Map.of("name", "ok")).get("uid").asText();
        assertProblem(api.put("/agent/identities/" + uid, Map.of("environment_id", foreignEnv)), 400, "environment_id");
        assertProblem(api.put("/agent/identities/" + uid, Map.of("name", "")), 400, "name");
        assertProblem(api.post("/agent/identities", "{\"name\": [\"x\"]}"), 400, "name");
    }

    @Test
    void anotherTeamsIdentityIsA404EverywhereLikeAnUnknownOne() {
        Team mine = team();
        Team theirs = team();
        String uid = created(theirs.api(), Map.of("name", "theirs")).get("uid").asText();
        for (String id : List.of(uid, "A".repeat(22), "not-a-uid")) {
            assertProblem(mine.api().get("/agent/identities/" + id), 404, "uid");
            assertProblem(mine.api().put("/agent/identities/" + id, Map.of("name", "mine now")), 404, "uid");
            assertProblem(mine.api().delete("/agent/identities/" + id), 404, "uid");
            assertProblem(mine.api().post("/agent/runs", Map.of("prompt", "p", "agent_identity_uid", id)), 404,
                    "agent_identity_uid");
        }
        assertThat(mine.api().get("/agent/identities").json().get("agents")).isEmpty();
        assertThat(theirs.api().get("/agent/identities/" + uid).json().get("name").asText()).isEqualTo("theirs");
    }

    @Test
    void aRunTokenAndAServiceAccountAreRefusedWith403() {
        Team t = team();
        String uid = created(t.api(), Map.of("name", "a")).get("uid").asText();
        String run = t.api().createRun(Map.of("prompt", "p", "config", Map.of("worker_host", pool)));
        Api token = new Api(server.apiBaseUrl(), claimed(run).get("run_token").asText());
        Principal sa = server.server().accounts().ensurePrincipal(Principal.Kind.SERVICE_ACCOUNT,
                "sa-" + UUID.randomUUID(), t.id(), false);
        Api service = new Api(server.apiBaseUrl(), server.server().accounts().createKey(sa, "k", null).secret());
        for (Api caller : List.of(token, service)) {
            assertThat(caller.get("/agent/identities").status()).isEqualTo(403);
            assertThat(caller.post("/agent/identities", Map.of("name", "x")).status()).isEqualTo(403);
            assertThat(caller.get("/agent/identities/" + uid).status()).isEqualTo(403);
            assertThat(caller.put("/agent/identities/" + uid, Map.of("name", "x")).status()).isEqualTo(403);
            assertThat(caller.delete("/agent/identities/" + uid).status()).isEqualTo(403);
        }
        // nor can an agent make its child run act as an identity (that would reach the identity's secrets)
        Api.Reply child = token.post("/agent/runs", Map.of("prompt", "c", "parent_run_id", run,
                "agent_identity_uid", uid));
        assertProblem(child, 403, "agent_identity_uid");
        assertThat(t.api().get("/agent/identities/" + uid).json().get("name").asText()).isEqualTo("a");
    }

    @Test
    void aDeleteRacingAScheduleBeingSavedWithTheIdentityWaitsForItAndIsRefused() throws Exception {
        String team = server.server().accounts().ensureTeam("ids-race-" + UUID.randomUUID());
        Principal person = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                "race-" + UUID.randomUUID() + "@example.com", team, false);
        Api api = new Api(server.apiBaseUrl(), server.server().accounts().createKey(person, "k", null).secret());
        String uid = created(api, Map.of("name", "raced")).get("uid").asText();
        CountDownLatch saved = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var db = server.server().database();
        // a schedule being saved with the identity: checked (and its row locked) as Schedules does, not yet committed
        CompletableFuture<Integer> schedule = CompletableFuture.supplyAsync(() -> db.write(h -> {
            IdentityLinks.scheduleSaved(h, db.dialect().lockRows(), person, team, uid, "agent_uid");
            int rows = h.createUpdate("""
                            INSERT INTO schedules (id, owner_type, owner_id, name, cron_schedule, enabled, prompt,
                                created_by, updated_by, created_at, updated_at, agent_identity_id)
                            VALUES (:id, 'Team', :team, 'raced', '0 9 * * *', FALSE, 'p', :p, :p, 0, 0, :a)""")
                    .bind("id", UUID.randomUUID().toString()).bind("team", team).bind("p", person.id()).bind("a", uid)
                    .execute();
            saved.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rows;
        }));
        assertThat(saved.await(30, TimeUnit.SECONDS)).isTrue();
        Races.Attempt<Api.Reply> delete = Races.start(() -> api.delete("/agent/identities/" + uid));
        Races.awaitBlocked(server, delete);
        release.countDown();
        assertThat(schedule.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertProblem(delete.result().get(30, TimeUnit.SECONDS), 409, "uid");
        assertThat(api.get("/agent/identities/" + uid).status()).isEqualTo(200);
    }

    @Test
    void aServiceAccountKeyMadeByNameNeverActsAsAnIdentityOfTheSameName() {
        Team t = team();
        String name = "ci-bot-" + UUID.randomUUID();
        String uid = created(t.api(), Map.of("name", name)).get("uid").asText();
        // what `drover keys create --service-account NAME` does: the identity's principal must not be found by name
        Principal sa = server.server().accounts().ensurePrincipal(Principal.Kind.SERVICE_ACCOUNT, name, null, false);
        assertThat(sa.id()).isNotEqualTo(uid);
        assertThat(sa.teamIds()).isEmpty();
        Api key = new Api(server.apiBaseUrl(), server.server().accounts().createKey(sa, "k", null).secret());
        assertThat(key.get("/agent/runs?creator=" + uid).json().get("runs")).isEmpty();
    }

    @Test
    void aCallerInSeveralTeamsOrInNoneIsA400UnlessItSaysWhichTeam() {
        Team first = team();
        String second = server.server().accounts().ensureTeam("ids-second-" + UUID.randomUUID());
        Principal p = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                "two-" + UUID.randomUUID() + "@example.com", first.id(), false);
        server.server().accounts().ensurePrincipal(Principal.Kind.USER, p.email(), second, false);
        Api both = new Api(server.apiBaseUrl(), server.server().accounts().createKey(p, "k", null).secret());
        assertProblem(both.get("/agent/identities"), 400, "team_id");
        assertProblem(both.post("/agent/identities", Map.of("name", "x")), 400, "team_id");
        JsonNode a = created(both, Map.of("name", "second's", "team_id", second));
        assertThat(a.get("scope").get("uid").asText()).isEqualTo(second);
        assertThat(both.get("/agent/identities?team_id=" + second).json().get("agents")).containsExactly(a);
        assertThat(both.get("/agent/identities?team_id=" + first.id()).json().get("agents")).isEmpty();

        Principal loner = server.server().accounts().ensurePrincipal(Principal.Kind.USER,
                "none-" + UUID.randomUUID() + "@example.com", null, false);
        Api none = new Api(server.apiBaseUrl(), server.server().accounts().createKey(loner, "k", null).secret());
        assertProblem(none.get("/agent/identities"), 400, "team_id");
        assertProblem(none.post("/agent/identities", Map.of("name", "x")), 400, "team_id");
    }

    @Test
    void aRunNamingAnIdentityActsAsItWithItsConfigurationUnderTheRequestsAndItsSkillsAndSecrets() {
        Equipped e = equipped();
        Api api = e.team().api();
        JsonNode a = created(api, Map.of("name", "Triager", "prompt", "Be terse.", "skills", List.of("acme/ops:triage"),
                "secrets", List.of(Map.of("name", "OPS_TOKEN")), "harness", Map.of("type", "command", "command", "true"),
                "environment_id", e.environment(), "worker_host", pool,
                "mcp_servers", Map.of("docs", Map.of("url", "https://docs.example.com/mcp"),
                        "search", Map.of("url", "https://search.example.com/mcp"))));
        String uid = a.get("uid").asText();
        // the request's fields win, one by one: its name and its own "search" server; the rest is the identity's
        Api.Reply r = api.post("/agent/runs", Map.of("prompt", "triage the new issues", "config", Map.of(
                "name", "nightly", "mcp_servers", Map.of("search", Map.of("url", "https://mine.example.com/mcp"))),
                "agent_identity_uid", uid));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String run = r.json().get("run_id").asText();
        JsonNode item = api.get("/agent/runs/" + run).json();
        assertThat(item.get("agent_identity_uid").asText()).isEqualTo(uid);
        assertThat(item.get("creator").get("type").asText()).isEqualTo("service_account");
        assertThat(item.get("creator").get("uid").asText()).isEqualTo(uid);
        assertThat(item.get("creator").get("display_name").asText()).isEqualTo("Triager");
        assertThat(item.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(item.get("scope").get("uid").asText()).isEqualTo(e.team().id());
        JsonNode config = item.get("agent_config");
        assertThat(config.get("name").asText()).isEqualTo("nightly");
        assertThat(config.get("base_prompt").asText()).isEqualTo("Be terse.");
        assertThat(config.get("environment_id").asText()).isEqualTo(e.environment());
        assertThat(config.get("worker_host").asText()).isEqualTo(pool);
        assertThat(config.get("harness").get("type").asText()).isEqualTo("command");
        assertThat(config.get("mcp_servers").get("docs").get("url").asText()).isEqualTo("https://docs.example.com/mcp");
        assertThat(config.get("mcp_servers").get("search").get("url").asText()).isEqualTo("https://mine.example.com/mcp");

        // listed by the identity (the spec's creator filter), not by the person who started it
        assertThat(api.get("/agent/runs?creator=" + uid).json().get("runs")).extracting(n -> n.get("run_id").asText())
                .containsExactly(run);

        JsonNode claim = claimed(run);
        assertThat(claim.get("skill_instructions").asText()).contains("Label every issue TRIAGE-MARK.");
        List<String> secrets = new ArrayList<>();
        claim.get("secrets").forEach(s -> secrets.add(s.get("name").asText() + "=" + s.get("value").asText()));
        assertThat(secrets).containsExactly("OPS_TOKEN=" + e.secretValue());
        assertThat(claim.get("environment").get("setup_commands").get(0).asText()).isEqualTo("echo setup");

        // its token acts as the identity: it sees its team's run, not the starter's personal ones
        String personal = api.createRun(Map.of("prompt", "mine", "team", false, "config", Map.of("worker_host",
                "nobody-" + UUID.randomUUID())));
        Api token = new Api(server.apiBaseUrl(), claim.get("run_token").asText());
        assertThat(token.get("/agent/runs/" + run).status()).isEqualTo(200);
        assertThat(token.get("/agent/runs/" + personal).status()).isEqualTo(404);

        // a personal run cannot act as a team's identity
        assertProblem(api.post("/agent/runs", Map.of("prompt", "p", "team", false, "agent_identity_uid", uid)), 400,
                "agent_identity_uid");
    }

    @Test
    void aScheduleNamingAnIdentityFiresRunsActingAsItAndKeepsItFromBeingDeleted() {
        Team t = team();
        Api api = t.api();
        String uid = created(api, Map.of("name", "Nightly", "worker_host", pool)).get("uid").asText();
        Map<String, Object> schedule = new HashMap<>(Map.of("name", "nightly", "cron_schedule", "0 9 * * *",
                "prompt", "report", "agent_uid", uid));
        Api.Reply s = api.post("/agent/schedules", schedule);
        assertThat(s.status()).as(s.toString()).isEqualTo(201);
        String scheduleId = s.json().get("id").asText();
        assertThat(s.json().get("agent_uid").asText()).isEqualTo(uid);

        Api.Reply refused = api.delete("/agent/identities/" + uid);
        assertProblem(refused, 409, "uid");
        assertThat(refused.json().get("detail").asText()).contains("\"nightly\"");
        assertThat(api.get("/agent/identities/" + uid).status()).isEqualTo(200);

        clock.set(Instant.parse("2030-01-08T09:00:00Z"));
        server.server().schedules().fireDue();
        JsonNode runs = api.get("/agent/runs?schedule_id=" + scheduleId).json().get("runs");
        assertThat(runs).hasSize(1);
        JsonNode fired = runs.get(0);
        assertThat(fired.get("agent_identity_uid").asText()).isEqualTo(uid);
        assertThat(fired.get("creator").get("uid").asText()).isEqualTo(uid);
        assertThat(fired.get("agent_config").get("worker_host").asText()).isEqualTo(pool);

        // a schedule cannot name another team's identity, nor a personal schedule its team's
        String foreign = created(team().api(), Map.of("name", "x")).get("uid").asText();
        schedule.put("agent_uid", foreign);
        assertProblem(api.post("/agent/schedules", schedule), 404, "agent_uid");
        schedule.put("agent_uid", uid);
        schedule.put("team", false);
        assertProblem(api.post("/agent/schedules", schedule), 400, "agent_uid");

        // once no schedule names it, it goes; its runs still show whom they ran as
        Api.Reply cleared = api.put("/agent/schedules/" + scheduleId, Map.of("name", "nightly", "cron_schedule",
                "0 9 * * *", "prompt", "report", "enabled", true, "agent_uid", ""));
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().has("agent_uid")).isFalse();
        assertThat(api.delete("/agent/identities/" + uid).status()).isEqualTo(204);
        JsonNode after = api.get("/agent/runs/" + fired.get("run_id").asText()).json();
        assertThat(after.get("agent_identity_uid").asText()).isEqualTo(uid);
        assertThat(after.get("creator").get("display_name").asText()).isEqualTo("Nightly");
        // and it can be named by nothing new
        assertProblem(api.post("/agent/runs", Map.of("prompt", "p", "agent_identity_uid", uid)), 404,
                "agent_identity_uid");
        schedule.remove("team");
        assertProblem(api.post("/agent/schedules", schedule), 404, "agent_uid");
    }
}
