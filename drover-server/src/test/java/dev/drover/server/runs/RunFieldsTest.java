package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12 item 5, no silent drops: every request field of the spec and the newer SDK is honoured (its effect is
 * observed here) or refused with a 400 naming it. Subclassed once per database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunFieldsTest {
    TestServer server;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Api tenant() {
        return server.newTenant("fields-" + UUID.randomUUID());
    }

    private static void refused(Api.Reply r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field + ":");
    }

    private static List<String> ids(Api.Reply list) {
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.json().get("runs").forEach(r -> ids.add(r.get("run_id").asText()));
        return ids;
    }

    @Test
    void everyModeRunsOnTheBuiltInHarnessAndOnlyNormalOnAHarnessThatCannotBeHeldToAMode() {
        Api api = tenant();
        for (String mode : List.of("normal", "plan", "orchestrate")) {
            assertThat(api.post("/agent/runs", Map.of("prompt", "p", "mode", mode)).status()).as(mode).isEqualTo(200);
        }
        assertThat(api.post("/agent/runs", Map.of("prompt", "p", "mode", "normal", "config",
                Map.of("harness", Map.of("type", "claude")))).status()).isEqualTo(200);
        refused(api.post("/agent/runs", Map.of("prompt", "p", "mode", "plan", "config",
                Map.of("harness", Map.of("type", "claude")))), "mode");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "mode", "orchestrate", "config",
                Map.of("harness", Map.of("type", "command", "command", "true")))), "mode");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "mode", "turbo")), "mode");
        refused(api.post("/agent/runs", "{\"prompt\": \"p\", \"mode\": 3}"), "mode");
        assertThat(ids(api.get("/agent/runs"))).as("a refused run was not created").hasSize(4);
    }

    @Test
    void aRunsModeReachesTheWorkerInItsClaim() {
        Api user = tenant();
        Api worker = server.newWorkerKey("mode-" + UUID.randomUUID());
        String pool = "mode-" + UUID.randomUUID().toString().substring(0, 8);
        String workerId = worker.post("/workers", Map.of("name", "w-" + pool, "pool", pool, "slots", 1, "host", "h"))
                .json().get("worker_id").asText();
        String plan = user.createRun(Map.of("prompt", "plan it", "mode", "plan", "config", Map.of("worker_host", pool)));
        Api.Reply claimed = worker.post("/workers/" + workerId + "/claim?wait=5", (String) null);
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        assertThat(claimed.json().get("run").get("run_id").asText()).isEqualTo(plan);
        assertThat(claimed.json().get("mode").asText()).isEqualTo("plan");
        String normal = user.createRun(Map.of("prompt", "just do it", "mode", "normal", "config", Map.of("worker_host", pool)));
        Api.Reply next = worker.post("/workers/" + workerId + "/claim?wait=5", (String) null);
        assertThat(next.json().get("run").get("run_id").asText()).isEqualTo(normal);
        assertThat(next.json().has("mode")).as("normal is no mode").isFalse();
    }

    @Test
    void runnerIdIsRefusedNamingItBecauseRunsAreRoutedByWorkerHost() {
        refused(tenant().post("/agent/runs", Map.of("prompt", "p", "config", Map.of("runner_id", "r-1"))),
                "config.runner_id");
    }

    @Test
    void configSkillsTakesOneSpecExclusiveOfSkillSpec() {
        Api api = tenant();
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("skills", List.of("a/b:x", "a/b:y")))),
                "config.skills");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config",
                Map.of("skills", List.of("a/b:x"), "skill_spec", "a/b:x"))), "config.skills");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("skills", List.of(" ")))),
                "config.skills[0]");
        // one spec is the run's skill: resolved like skill_spec (here: a repository no environment has, so a 4xx
        // naming config.skills[0] — proof that it was not ignored)
        Api.Reply unknown = api.post("/agent/runs", Map.of("config", Map.of("skills", List.of("nobody/nothing:x"))));
        assertThat(unknown.status()).as(unknown.toString()).isBetween(400, 499);
        assertThat(unknown.json().get("detail").asText()).startsWith("config.skills[0]");
    }

    @Test
    void harnessModelAndReasoningLevelBelongToCliHarnessesAndAreKeptOnTheRun() {
        Api api = tenant();
        String run = api.createRun(Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "codex", "model_id", "gpt-5-codex", "reasoning_level", "high"))));
        JsonNode harness = api.get("/agent/runs/" + run).json().get("agent_config").get("harness");
        assertThat(harness.get("model_id").asText()).isEqualTo("gpt-5-codex");
        assertThat(harness.get("reasoning_level").asText()).isEqualTo("high");
        assertThat(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "claude", "model_id", "claude-sonnet-4-5")))).status()).isEqualTo(200);

        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness", Map.of("model_id", "gpt-4o")))),
                "config.harness.model_id");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "command", "command", "true", "model_id", "m")))), "config.harness.model_id");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "claude", "model_id", "--dangerously-skip-permissions")))), "config.harness.model_id");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "claude", "reasoning_level", "high")))), "config.harness.reasoning_level");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "codex", "reasoning_level", "extreme")))), "config.harness.reasoning_level");
    }

    @Test
    void configMembersDroverHasNothingBehindAreRefusedNamingThemNotDropped() {
        Api api = tenant();
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("computer_use_enabled", true))),
                "config.computer_use_enabled");
        assertThat(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("computer_use_enabled", false)))
                .status()).isEqualTo(200);
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("inference_providers",
                Map.of("aws", Map.of("role_arn", "arn:aws:iam::1:role/x"))))), "config.inference_providers");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("memory_stores", List.of()))),
                "config.memory_stores");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("session_sharing",
                Map.of("public_access", "VIEWER")))), "config.session_sharing");
        refused(api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 3 * * *", "prompt", "p",
                "agent_config", Map.of("memory_stores", List.of()))), "agent_config.memory_stores");
        refused(api.post("/agent/environments", Map.of("name", "e", "providers", Map.of("aws", Map.of("role_arn", "r")))),
                "providers");
        assertThat(api.get("/agent/runs").json().get("runs")).as("nothing refused was created").hasSize(1);
    }

    @Test
    void anEnvironmentsFailureSessionRetentionIsRefusedNamingIt() {
        Api api = tenant();
        refused(api.post("/agent/environments", Map.of("name", "e", "failure_session_retention_minutes", 30)),
                "failure_session_retention_minutes");
        String uid = api.createEnvironment(Map.of("name", "e"));
        refused(api.put("/agent/environments/" + uid, Map.of("name", "e", "failure_session_retention_minutes", 30)),
                "failure_session_retention_minutes");
    }

    @Test
    void schedulesKeepTheirMetadataAndModeAndRefuseAModeTheirHarnessCannotRun() {
        Api api = tenant();
        Api.Reply created = api.post("/agent/schedules", Map.of("name", "nightly", "cron_schedule", "0 3 * * *",
                "prompt", "p", "metadata", Map.of("ticket_id", "ACME-1"), "mode", "normal"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(api.get("/agent/schedules/" + id).json().get("metadata").get("ticket_id").asText()).isEqualTo("ACME-1");
        Api.Reply updated = api.put("/agent/schedules/" + id, Map.of("name", "nightly", "cron_schedule", "0 3 * * *",
                "prompt", "p", "enabled", true, "metadata", Map.of("ticket_id", "ACME-2")));
        assertThat(updated.json().get("metadata").get("ticket_id").asText()).isEqualTo("ACME-2");

        Api.Reply planned = api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 3 * * *", "prompt", "p",
                "mode", "plan"));
        assertThat(planned.status()).as(planned.toString()).isEqualTo(201);
        assertThat(planned.json().get("mode").asText()).isEqualTo("plan");
        refused(api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 3 * * *", "prompt", "p",
                "mode", "plan", "agent_config", Map.of("harness", Map.of("type", "codex")))), "mode");
        refused(api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 3 * * *", "prompt", "p",
                "metadata", Map.of("bad key", "v"))), "metadata.bad key");
        refused(api.put("/agent/schedules/" + id, Map.of("name", "n", "cron_schedule", "0 3 * * *", "prompt", "p",
                "enabled", true, "mode", "sideways")), "mode");
        refused(api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 3 * * *", "prompt", "p",
                "agent_config", Map.of("runner_id", "r"))), "agent_config.runner_id");
    }

    @Test
    void theNewerListFiltersFilterOrMatchNothingButNeverListEverything() {
        Api api = tenant();
        String plain = api.createRun("plain");
        String automated = api.createRun(Map.of("prompt", "automated", "metadata", Map.of("automation_id", "auto-7")));
        assertThat(ids(api.get("/agent/runs"))).hasSize(2);

        assertThat(ids(api.get("/agent/runs?automation_id=auto-7"))).containsExactly(automated);
        assertThat(ids(api.get("/agent/runs?automation_id=auto-8"))).isEmpty();
        refused(api.get("/agent/runs?automation_id=auto-7&metadata%5Bautomation_id%5D=auto-8"), "automation_id");

        String me = api.get("/agent/runs/" + plain).json().get("creator").get("uid").asText();
        assertThat(ids(api.get("/agent/runs?executor=" + me))).containsExactlyInAnyOrder(plain, automated);
        assertThat(ids(api.get("/agent/runs?executor=someone-else"))).isEmpty();

        assertThat(ids(api.get("/agent/runs?factory_uid=f-1"))).as("no run is a factory's").isEmpty();
        assertThat(ids(api.get("/agent/runs?factory_only=true"))).isEmpty();
        assertThat(ids(api.get("/agent/runs?factory_only=false"))).hasSize(2);
        assertThat(ids(api.get("/agent/runs?artifact_type=EXTERNAL_REFERENCE"))).isEmpty();
        refused(api.get("/agent/runs?artifact_type=NOTHING"), "artifact_type");

        assertThat(ids(api.get("/agent/runs?source=API&source=ORCHESTRATION"))).hasSize(2);
        assertThat(ids(api.get("/agent/runs?source=JIRA&source=ORCHESTRATION"))).isEmpty();
        refused(api.get("/agent/runs?source=FAX"), "source");
    }

    @Test
    void taskStatusSelectsRunsByTheirHighLevelStatusAndRunningCountsUnfinishedDescendants() {
        Api user = tenant();
        Api worker = server.newWorkerKey("task-" + UUID.randomUUID());
        String pool = "task-" + UUID.randomUUID().toString().substring(0, 8);
        String workerId = worker.post("/workers", Map.of("name", "w-" + pool, "pool", pool, "slots", 1, "host", "h"))
                .json().get("worker_id").asText();
        String parent = user.createRun(Map.of("prompt", "parent", "config", Map.of("worker_host", pool)));
        JsonNode claim = worker.post("/workers/" + workerId + "/claim?wait=5&accept=true", (String) null).json();
        String execution = claim.get("execution_id").asText();
        worker.post("/agent/events/" + parent, Map.of("event_type", "run_in_progress", "execution_id", execution));
        String child = new Api(server.apiBaseUrl(), claim.get("run_token").asText()).post("/agent/runs",
                Map.of("prompt", "child", "parent_run_id", parent, "config", Map.of("worker_host", "nobody-claims-this")))
                .json().get("run_id").asText();
        assertThat(worker.post("/agent/events/" + parent, Map.of("event_type", "run_succeeded", "execution_id",
                execution)).status()).isEqualTo(200);
        String cancelled = user.createRun("to cancel");
        user.post("/agent/runs/" + cancelled + "/cancel", (String) null);

        assertThat(ids(user.get("/agent/runs?task_status=complete"))).containsExactly(parent);
        assertThat(ids(user.get("/agent/runs?task_status=running"))).as("the parent's child is still queued")
                .containsExactlyInAnyOrder(parent, child);
        assertThat(ids(user.get("/agent/runs?task_status=cancelled&task_status=failed"))).containsExactly(cancelled);
        assertThat(ids(user.get("/agent/runs?task_status=blocked"))).isEmpty();
        refused(user.get("/agent/runs?task_status=done"), "task_status");
    }

    @Test
    void theSdksActiveTeamHeaderListsThatTeamsRunsAndTheCallersOwnAndAForeignTeamIs404() {
        String email = "multi-" + UUID.randomUUID() + "@example.com";
        var accounts = server.server().accounts();
        String teamA = accounts.ensureTeam("a-" + UUID.randomUUID());
        String teamB = accounts.ensureTeam("b-" + UUID.randomUUID());
        accounts.ensurePrincipal(dev.drover.server.auth.Principal.Kind.USER, email, teamA, false);
        var user = accounts.ensurePrincipal(dev.drover.server.auth.Principal.Kind.USER, email, teamB, false);
        Api api = new Api(server.apiBaseUrl(), accounts.createKey(user, "k", null).secret());
        String personal = api.createRun(Map.of("prompt", "mine", "team", false));
        String teamRun = api.createRun(Map.of("prompt", "ours", "team", true));
        String itsTeam = api.get("/agent/runs/" + teamRun).json().get("scope").get("uid").asText();
        String otherTeam = itsTeam.equals(teamA) ? teamB : teamA;

        assertThat(ids(api.get("/agent/runs"))).containsExactlyInAnyOrder(personal, teamRun);
        assertThat(ids(get(api, "/agent/runs", itsTeam))).containsExactlyInAnyOrder(personal, teamRun);
        assertThat(ids(get(api, "/agent/runs", otherTeam))).containsExactly(personal);
        Api.Reply foreign = get(api, "/agent/runs", accounts.ensureTeam("c-" + UUID.randomUUID()));
        assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404);
        assertThat(foreign.json().get("detail").asText()).startsWith("X-Warp-Team-Uid:");
    }

    private Api.Reply get(Api api, String path, String team) {
        return api.get(path, Map.of("X-Warp-Team-Uid", team));
    }

    @Test
    void aRunShowsTheNewerFieldsAndItsUsageInCreditsAndDollarsByModel() {
        Api user = tenant();
        Api worker = server.newWorkerKey("fields-" + UUID.randomUUID());
        String workerId = worker.post("/workers", Map.of("name", "w-" + UUID.randomUUID().toString().substring(0, 8),
                "pool", "default", "slots", 1, "host", "test-host")).json().get("worker_id").asText();
        String run = user.createRun("count my tokens");
        JsonNode queued = user.get("/agent/runs/" + run).json();
        assertThat(queued.get("executor").get("uid").asText()).isEqualTo(queued.get("creator").get("uid").asText());
        assertThat(queued.get("is_run_type_cancellable").asBoolean()).isTrue();
        assertThat(queued.has("run_time")).as("not started yet").isFalse();

        JsonNode claim;
        do { // other tests' runs may be claimed first: this tenant's is the one we want
            Api.Reply r = worker.post("/workers/" + workerId + "/claim?wait=5&accept=true", (String) null);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            claim = r.json();
        } while (!claim.get("run").get("run_id").asText().equals(run));
        String execution = claim.get("execution_id").asText();
        assertThat(worker.post("/agent/events/" + run, Map.of("event_type", "run_in_progress", "execution_id",
                execution)).status()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            Api.Reply used = worker.post("/workers/" + workerId + "/runs/" + run + "/usage", Api.toJson(Map.of(
                    "model_id", "gpt-5", "input_tokens", 1000, "output_tokens", 100)), Map.of("X-Drover-Execution-Id", execution));
            assertThat(used.status()).as(used.toString()).isEqualTo(200);
        }
        JsonNode item = user.get("/agent/runs/" + run).json();
        assertThat(item.get("run_time").asText()).startsWith("PT");
        JsonNode usage = item.get("request_usage");
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(2000);
        assertThat(usage.get("total_tokens").asLong()).isEqualTo(2200);
        double usd = usage.get("inference_cost_usd").asDouble();
        // gpt-5: $1.25 per million input tokens, $10 per million output tokens
        assertThat(usd).isCloseTo(2 * (1000 * 1.25 + 100 * 10.0) / 1_000_000, Offset.offset(1e-12));
        assertThat(usage.get("inference_cost").asDouble()).as("credits: one per US cent").isCloseTo(usd * 100, Offset.offset(1e-9));
        assertThat(usage.get("compute_cost_usd").asDouble()).isZero();
        JsonNode model = usage.get("usage_by_category").get("primary_agent").get("byok_inference_usage").get("gpt-5");
        assertThat(model.get("token_count").get("input").asLong()).isEqualTo(2000);
        assertThat(model.get("token_count").get("output").asLong()).isEqualTo(200);
        assertThat(model.get("cost_in_cents").get("input_cost_in_cents").asDouble()
                + model.get("cost_in_cents").get("output_cost_in_cents").asDouble()).isCloseTo(usd * 100, Offset.offset(1e-9));

        // a child run an agent creates with its run token is the orchestration layer's
        Api agent = new Api(server.apiBaseUrl(), claim.get("run_token").asText());
        Api.Reply child = agent.post("/agent/runs", Map.of("prompt", "help", "parent_run_id", run));
        assertThat(child.status()).as(child.toString()).isEqualTo(200);
        assertThat(user.get("/agent/runs/" + child.json().get("run_id").asText()).json().get("source").asText())
                .isEqualTo("ORCHESTRATION");
        assertThat(user.get("/agent/runs/" + run).json().get("source").asText()).isEqualTo("API");
        assertThat(ids(user.get("/agent/runs?source=ORCHESTRATION"))).containsExactly(child.json().get("run_id").asText());

        assertThat(worker.post("/agent/events/" + run, Map.of("event_type", "run_succeeded", "execution_id",
                execution)).status()).isEqualTo(200);
        String finished = user.get("/agent/runs/" + run).json().get("run_time").asText();
        assertThat(user.get("/agent/runs/" + run).json().get("run_time").asText()).as("a finished run's time stays")
                .isEqualTo(finished);
    }

    @Test
    void aLocalRunIsNotCancellableByType() {
        Api api = tenant();
        Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("prompt", "mine")),
                Map.of("X-Drover-Execution-Location", "LOCAL"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(api.get("/agent/runs/" + r.json().get("run_id").asText()).json().get("is_run_type_cancellable")
                .asBoolean()).isFalse();
    }
}
