package dev.drover.server.skills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Skills as agents over real git repositories made by the test: discovery in the agent folders (precedence,
 * nesting, malformed files), grouping into agents with variants, the repo parameter and refresh, and runs naming a
 * skill in every form the spec lists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SkillsApiTest {
    static final String DEPLOY_AGENTS = """
            ---
            name: deploy
            description: Deploys the API to staging
            owner: platform-team
            ---
            Deploy $ARGUMENTS[0] to $1.
            """;

    BareRepos repos;
    TestServer server;
    Api api;
    String backend;
    String frontend;

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        repos = new BareRepos(Files.createTempDirectory("drover-skills-"));
        repos.create("acme", "api", Map.of(
                ".agents/skills/deploy/SKILL.md", DEPLOY_AGENTS,
                ".claude/skills/deploy/SKILL.md", "---\nname: deploy\n---\nThe older deploy skill.\n",
                ".agents/skills/ops/rollback/SKILL.md", "# Rollback\n\nRolls the last release back.\nCarefully.\n\nMore.\n",
                ".claude/skills/broken/SKILL.md", "---\nname: [broken\n---\nBody.\n",
                "docs/skills/not-a-skill/SKILL.md", "---\nname: nope\n---\n",
                "README.md", "# api\n"));
        repos.create("acme", "web", Map.of(".github/skills/deploy/SKILL.md", "Deploys the web app.\n"));
        repos.create("other", "api", Map.of(".warp/skills/deploy/SKILL.md", "Another team's deploy.\n"));
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withGitBaseUrl(repos.root().toString()));
        api = server.admin();
        backend = api.createEnvironment(Map.of("name", "backend", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "api"))));
        frontend = api.createEnvironment(Map.of("name", "frontend", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "web"), Map.of("owner", "acme", "repo", "api"))));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static JsonNode agent(JsonNode list, String name) {
        for (JsonNode a : list.get("agents")) {
            if (a.get("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("no agent " + name + " in " + list);
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.get("agents").forEach(a -> names.add(a.get("name").asText()));
        return names;
    }

    private static List<String> ids(JsonNode agent) {
        List<String> ids = new ArrayList<>();
        agent.get("variants").forEach(v -> ids.add(v.get("id").asText()));
        return ids;
    }

    @Test
    void theSkillsOfEveryEnvironmentsRepositoriesAreListedAsAgentsWithOneVariantPerDefinition() {
        Api.Reply r = api.get("/agent");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode list = r.json();
        assertThat(names(list)).containsExactly("deploy", "rollback");
        JsonNode deploy = agent(list, "deploy");
        // .agents wins over .claude within acme/api; acme/web defines its own
        assertThat(ids(deploy)).containsExactly("acme/api:.agents/skills/deploy/SKILL.md",
                "acme/web:.github/skills/deploy/SKILL.md");
        JsonNode api = deploy.get("variants").get(0);
        assertThat(api.get("description").asText()).isEqualTo("Deploys the API to staging");
        assertThat(api.get("base_prompt").asText()).isEqualTo("Deploy $ARGUMENTS[0] to $1.");
        assertThat(api.get("source").get("owner").asText()).isEqualTo("acme");
        assertThat(api.get("source").get("name").asText()).isEqualTo("api");
        assertThat(api.get("source").get("skill_path").asText()).isEqualTo(".agents/skills/deploy/SKILL.md");
        List<String> envs = new ArrayList<>();
        api.get("environments").forEach(e -> envs.add(e.get("uid").asText() + "=" + e.get("name").asText()));
        assertThat(envs).containsExactlyInAnyOrder(backend + "=backend", frontend + "=frontend");
        assertThat(api.has("error")).isFalse();
        assertThat(deploy.get("variants").get(1).get("environments")).hasSize(1);

        JsonNode rollback = agent(list, "rollback").get("variants").get(0);
        assertThat(rollback.get("id").asText()).isEqualTo("acme/api:.agents/skills/ops/rollback/SKILL.md");
        assertThat(rollback.get("description").asText()).isEqualTo("Rolls the last release back. Carefully.");

        JsonNode withBroken = this.api.get("/agent?include_malformed_skills=true").json();
        assertThat(names(withBroken)).containsExactly("broken", "deploy", "rollback");
        assertThat(agent(withBroken, "broken").get("variants").get(0).get("error").asText())
                .startsWith("the front matter is not valid YAML");
    }

    @Test
    void oneRepositoryOfTheCallersEnvironmentsIsListedWithRepoAndNoOtherIs() {
        Api tenant = server.newTenant("skills-repo-" + UUID.randomUUID());
        tenant.createEnvironment(Map.of("name", "web", "github_repos", List.of(Map.of("owner", "acme", "repo", "web"))));
        JsonNode web = tenant.get("/agent?repo=acme/web").json();
        assertThat(names(web)).containsExactly("deploy");
        assertThat(ids(agent(web, "deploy"))).containsExactly("acme/web:.github/skills/deploy/SKILL.md");
        // the server reads with its own git token: a repository outside the caller's environments is not theirs to
        // read, however it is named
        for (String elsewhere : List.of("acme/api", "other/api", "acme/nothing-here")) {
            Api.Reply r = tenant.get("/agent?repo=" + elsewhere);
            assertThat(r.status()).as(elsewhere).isEqualTo(404);
            assertThat(r.json().get("detail").asText()).startsWith("repo:");
        }
        assertThat(tenant.post("/agent/runs", Map.of("skill", "acme/api:rollback")).status()).isEqualTo(404);

        for (String bad : List.of("acme", "acme/web/x", "../etc", "acme/..")) {
            Api.Reply r = tenant.get("/agent?repo=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.json().get("detail").asText()).startsWith("repo:");
        }
        assertThat(tenant.get("/agent?sort_by=size").status()).isEqualTo(400);
    }

    @Test
    void aRepositoryThatIsNotAtTheGitSourceIsNotFound() {
        Api tenant = server.newTenant("skills-missing-" + UUID.randomUUID());
        tenant.createEnvironment(Map.of("name", "ghost", "github_repos", List.of(Map.of("owner", "acme", "repo", "ghost"))));
        Api.Reply r = tenant.get("/agent?repo=acme/ghost");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).startsWith("repo:").contains("not found at the git source");
        assertThat(tenant.get("/agent").json().get("agents")).as("an unreadable repository lists nothing").isEmpty();
    }

    @Test
    void aNewSkillAppearsOnRefreshWhileTheCacheServesTheListingMeanwhile() throws Exception {
        repos.create("acme", "fresh", Map.of(".kiro/skills/first/SKILL.md", "First.\n"));
        Api tenant = server.newTenant("skills-fresh-" + UUID.randomUUID());
        tenant.createEnvironment(Map.of("name", "fresh", "github_repos", List.of(Map.of("owner", "acme", "repo", "fresh"))));
        assertThat(names(tenant.get("/agent?repo=acme/fresh").json())).containsExactly("first");
        repos.update("acme", "fresh", Map.of(".kiro/skills/second/SKILL.md", "Second.\n"));
        assertThat(names(tenant.get("/agent").json())).as("cached").containsExactly("first");
        assertThat(names(tenant.get("/agent?repo=acme/fresh&refresh=true").json())).containsExactly("first", "second");
    }

    @Test
    void aRunMadeOfConfigSkillsAloneNeedsNoPromptAndRunsThatSkill() {
        String run = api.createRun(Map.of("config", Map.of("skills", List.of("acme/api:rollback"))));
        JsonNode item = api.get("/agent/runs/" + run).json();
        assertThat(item.get("agent_skill").get("full_path").asText()).isEqualTo(".agents/skills/ops/rollback/SKILL.md");
        assertThat(item.get("agent_config").get("skills").get(0).asText()).isEqualTo("acme/api:rollback");
        assertThat(api.get("/agent/runs?skill_spec=" + URLEncoder.encode("acme/api:.agents/skills/ops/rollback/SKILL.md",
                StandardCharsets.UTF_8)).json().get("runs").findValuesAsText("run_id")).contains(run);
        Api.Reply missing = api.post("/agent/runs", Map.of("config", Map.of("skills", List.of("acme/api:nothing-here"))));
        assertThat(missing.status()).as(missing.toString()).isBetween(400, 499);
        assertThat(missing.json().get("detail").asText()).startsWith("config.skills[0]");
    }

    @Test
    void everySkillSpecFormResolvesAndTheRunRecordsItsSkill() {
        Api tenant = api;
        String byName = tenant.createRun(Map.of("skill", "api:rollback", "prompt", "now"));
        JsonNode run = tenant.get("/agent/runs/" + byName).json();
        assertThat(run.get("agent_skill").get("name").asText()).isEqualTo("rollback");
        assertThat(run.get("agent_skill").get("description").asText()).isEqualTo("Rolls the last release back. Carefully.");
        assertThat(run.get("agent_skill").get("full_path").asText()).isEqualTo(".agents/skills/ops/rollback/SKILL.md");
        assertThat(run.get("agent_config").get("name").asText()).as("config.name defaults to the skill").isEqualTo("rollback");

        String canonical = "acme/api:.agents/skills/ops/rollback/SKILL.md";
        List<String> runs = new ArrayList<>(List.of(byName));
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("skill", "acme/api:rollback"),
                Map.of("skill", "api:.agents/skills/ops/rollback"),
                Map.of("skill", canonical),
                Map.of("prompt", "p", "config", Map.of("skill_spec", "acme/api:.agents/skills/ops/rollback/SKILL.md",
                        "name", "mine")))) {
            runs.add(tenant.createRun(body));
        }
        assertThat(tenant.get("/agent/runs/" + runs.getLast()).json().get("agent_config").get("name").asText())
                .as("an explicit config.name stays").isEqualTo("mine");
        List<String> found = new ArrayList<>();
        tenant.get("/agent/runs?limit=50&skill_spec=" + URLEncoder.encode(canonical, StandardCharsets.UTF_8)).json()
                .get("runs").forEach(r -> found.add(r.get("run_id").asText()));
        assertThat(found).containsExactlyInAnyOrderElementsOf(runs);

        // two repositories named api define deploy: the short forms are ambiguous once both are in environments
        tenant.createEnvironment(Map.of("name", "theirs", "github_repos", List.of(Map.of("owner", "other", "repo", "api"))));
        Api.Reply ambiguous = tenant.post("/agent/runs", Map.of("skill", "api:deploy"));
        assertThat(ambiguous.status()).as(ambiguous.toString()).isEqualTo(400);
        assertThat(ambiguous.json().get("detail").asText()).startsWith("skill:")
                .contains("acme/api:.agents/skills/deploy/SKILL.md").contains("other/api:.warp/skills/deploy/SKILL.md");
        assertThat(tenant.createRun(Map.of("skill", "other/api:deploy"))).isNotBlank();

        Api.Reply unknown = tenant.post("/agent/runs", Map.of("skill", "api:no-such-skill"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("type").asText()).endsWith("/resource_not_found");
        Api.Reply malformed = tenant.post("/agent/runs", Map.of("skill", "acme/api:.claude/skills/broken/SKILL.md"));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("detail").asText()).contains("malformed");
        Api.Reply badSpec = tenant.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("skill_spec", "deploy")));
        assertThat(badSpec.status()).isEqualTo(400);
        assertThat(badSpec.json().get("detail").asText()).startsWith("config.skill_spec:");
    }

    @Test
    void anotherTeamSeesNoneOfTheseSkillsAndCannotRunThemByShortName() {
        Api stranger = server.newTenant("skills-stranger-" + UUID.randomUUID());
        assertThat(stranger.get("/agent").json().get("agents")).isEmpty();
        assertThat(stranger.post("/agent/runs", Map.of("skill", "api:rollback")).status()).isEqualTo(404);
        assertThat(stranger.post("/agent/runs", Map.of("skill", "acme/api:.agents/skills/ops/rollback/SKILL.md"))
                .status()).isEqualTo(404);
        assertThat(stranger.get("/agent?repo=acme/api").status()).isEqualTo(404);
    }

    @Test
    void lastRunTimestampsFollowRunsAndSortAgentsByLastRun() {
        Api tenant = server.newTenant("skills-last-" + UUID.randomUUID());
        tenant.createEnvironment(Map.of("name", "mine", "github_repos", List.of(Map.of("owner", "acme", "repo", "api"))));
        assertThat(names(tenant.get("/agent?sort_by=last_run").json())).containsExactly("deploy", "rollback");
        String run = tenant.createRun(Map.of("skill", "acme/api:rollback"));
        JsonNode list = tenant.get("/agent?sort_by=last_run").json();
        assertThat(names(list)).containsExactly("rollback", "deploy");
        assertThat(agent(list, "rollback").get("variants").get(0).get("last_run_timestamp").asText())
                .isEqualTo(tenant.get("/agent/runs/" + run).json().get("created_at").asText());
        assertThat(agent(list, "deploy").get("variants").get(0).has("last_run_timestamp")).isFalse();
    }
}
